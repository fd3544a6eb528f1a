// The work queue's delay heap: earliest time wins, due-time order, one platform timer, checked against a model.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DelayHeap } from "../../../../src/runtime/queue/delay-heap.js";
import { FakeClock } from "../../../../src/runtime/queue/index.js";

function newHeap(clock = new FakeClock(1_000)) {
  const released: { item: string; at: number }[] = [];
  const heap = new DelayHeap<string>(clock, (item) => released.push({ item, at: clock.now() }));
  return { clock, heap, released };
}

describe("DelayHeap", () => {
  it("releases each item once at its earliest time, in due-time order, ties in scheduling order", () => {
    const { clock, heap, released } = newHeap();
    heap.schedule("late", 1_300);
    heap.schedule("b", 1_100);
    heap.schedule("a", 1_100);
    heap.schedule("late", 1_050); // earlier: moves it
    heap.schedule("b", 1_200); // later: ignored
    expect(heap.size).toBe(3);
    clock.advance(49);
    expect(released).toEqual([]);
    clock.advance(1_000);
    expect(released).toEqual([
      { item: "late", at: 1_050 },
      { item: "b", at: 1_100 },
      { item: "a", at: 1_100 },
    ]);
    expect(heap.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("keeps one platform timer however many items wait, and clear drops them all", () => {
    const { clock, heap, released } = newHeap();
    for (let i = 0; i < 10_000; i++) heap.schedule(`job-${i}`, 2_000 + ((i * 7919) % 100_000));
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(51_000);
    expect(released.length).toBeGreaterThan(0);
    expect(clock.pendingTimers()).toBe(1);
    heap.clear();
    expect(clock.pendingTimers()).toBe(0);
    const before = released.length;
    clock.advance(1_000_000);
    expect(released.length).toBe(before);
  });

  it("waits out a delay longer than the clock's longest timer, releasing nothing early", () => {
    const clock = new FakeClock(1_000);
    // A clock that caps each timer at 100 ms, as the real one caps at 2^31-1 ms.
    const capped = { now: () => clock.now(), setTimer: (ms: number, fn: () => void) => clock.setTimer(Math.min(ms, 100), fn) };
    const released: number[] = [];
    const heap = new DelayHeap<string>(capped, () => released.push(clock.now()));
    heap.schedule("far", 1_750);
    clock.advance(749);
    expect(released).toEqual([]);
    clock.advance(1);
    expect(released).toEqual([1_750]);
  });

  it("matches a model under random schedules, moves and time steps", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("schedule" as const), item: fc.constantFrom("a", "b", "c", "d", "e"), delay: fc.integer({ min: 1, max: 500 }) }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const { clock, heap, released } = newHeap();
        const model = new Map<string, { at: number; seq: number }>();
        const expected: { item: string; at: number }[] = [];
        let seq = 0;
        const advanceModel = (to: number): void => {
          const due = [...model.entries()].filter(([, w]) => w.at <= to).sort(([, x], [, y]) => x.at - y.at || x.seq - y.seq);
          for (const [item, w] of due) {
            model.delete(item);
            expected.push({ item, at: w.at });
          }
        };
        for (const o of ops) {
          if (o.kind === "schedule") {
            const at = clock.now() + o.delay;
            const current = model.get(o.item);
            if (current === undefined || at < current.at) model.set(o.item, { at, seq: seq++ });
            heap.schedule(o.item, at);
          } else {
            advanceModel(clock.now() + o.ms);
            clock.advance(o.ms);
          }
          expect(released).toEqual(expected);
          expect(heap.size).toBe(model.size);
          expect(clock.pendingTimers()).toBe(model.size === 0 ? 0 : 1);
        }
      }),
    );
  });

  it("releases items moved earlier many times (past compaction) once, at their last time", () => {
    const { clock, heap, released } = newHeap();
    for (let round = 0; round < 1_000; round++) for (const item of ["x", "y"]) heap.schedule(item, 1_000_000 - round);
    expect(heap.size).toBe(2);
    clock.advance(1_000_000);
    expect(released).toEqual([
      { item: "x", at: 999_001 },
      { item: "y", at: 999_001 },
    ]);
  });
});
