// The real clock's timers: a delay past Node's timer limit waits the longest it can instead of firing at once.
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_TIMER_MS, realClock } from "../../../../src/runtime/queue/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("realClock", () => {
  it("caps a delay at 2^31-1 ms (Node would fire a longer one after 1 ms, and a requeue would spin)", () => {
    const setTimeout = vi.spyOn(globalThis, "setTimeout");
    const fn = vi.fn();
    for (const ms of [MAX_TIMER_MS + 1, 2 ** 40, Number.MAX_SAFE_INTEGER]) realClock.setTimer(ms, fn).cancel();
    realClock.setTimer(1234, fn).cancel();
    realClock.setTimer(-5, fn).cancel();
    expect(setTimeout.mock.calls.map((call) => call[1])).toEqual([MAX_TIMER_MS, MAX_TIMER_MS, MAX_TIMER_MS, 1234, 0]);
    expect(fn).not.toHaveBeenCalled();
  });
});
