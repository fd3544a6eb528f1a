// Unit tests of the latest-wins progress throttle on a fake clock.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatestWinsThrottle } from "../../../src/agent/index.js";
import { FakeClock } from "../../../src/runtime/queue/index.js";

const flush = () => new Promise<void>((r) => setImmediate(r));

describe("LatestWinsThrottle", () => {
  it("writes at once, then at most once per interval, always the newest value", async () => {
    const clock = new FakeClock(0);
    const writes: [number, number][] = [];
    const throttle = new LatestWinsThrottle<number>(1000, clock, (v) => {
      writes.push([clock.now(), v]);
      return Promise.resolve();
    });
    throttle.push(1);
    await flush();
    for (let v = 2; v <= 5; v++) throttle.push(v);
    clock.advance(999);
    await flush();
    expect(writes).toEqual([[0, 1]]);
    clock.advance(1);
    await flush();
    expect(writes).toEqual([[0, 1], [1000, 5]]);
    clock.advance(10_000);
    await flush();
    expect(writes).toHaveLength(2); // quiet handler: nothing more
  });

  it("never writes more often than the interval, and the last value pushed is written", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 30 }), async (gaps) => {
        const clock = new FakeClock(0);
        const writes: [number, number][] = [];
        const throttle = new LatestWinsThrottle<number>(500, clock, (v) => {
          writes.push([clock.now(), v]);
          return Promise.resolve();
        });
        for (const [i, gap] of gaps.entries()) {
          clock.advance(gap);
          await flush();
          throttle.push(i);
          await flush();
        }
        clock.advance(500);
        await flush();
        for (let i = 1; i < writes.length; i++) expect(writes[i]![0] - writes[i - 1]![0]).toBeGreaterThanOrEqual(500);
        expect(writes.at(-1)?.[1]).toBe(gaps.length - 1);
      }),
    );
  });

  it("does not overlap writes and stops writing once closed", async () => {
    const clock = new FakeClock(0);
    let inFlight = 0;
    let maxInFlight = 0;
    let release!: () => void;
    const throttle = new LatestWinsThrottle<number>(0, clock, () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<void>((r) => (release = () => (inFlight--, r())));
    });
    throttle.push(1);
    throttle.push(2);
    throttle.push(3);
    expect(maxInFlight).toBe(1);
    const closed = throttle.close();
    release();
    await closed;
    throttle.push(4);
    await flush();
    expect(maxInFlight).toBe(1);
    expect(inFlight).toBe(0);
  });
});
