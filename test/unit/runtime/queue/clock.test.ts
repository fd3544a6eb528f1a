// The real clock's timers: a delay longer than one Node timer takes is chained, not fired at once.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_TIMER_MS, realClock } from "../../../../src/runtime/queue/index.js";

describe("realClock.setTimer", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("fires a delay of 30 days after 30 days, not at once", () => {
    const fired: number[] = [];
    const start = Date.now();
    const month = 30 * 24 * 3_600_000;
    expect(month).toBeGreaterThan(MAX_TIMER_MS);
    realClock.setTimer(month, () => fired.push(Date.now() - start));
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(month - MAX_TIMER_MS - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([month]);
  });

  it("cancels a chained timer in any link", () => {
    const fired: string[] = [];
    const timer = realClock.setTimer(3 * MAX_TIMER_MS, () => fired.push("fired"));
    vi.advanceTimersByTime(MAX_TIMER_MS + 5);
    timer.cancel();
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).toEqual([]);
  });

  it("fires short and negative delays as before", () => {
    const fired: string[] = [];
    realClock.setTimer(-5, () => fired.push("negative"));
    realClock.setTimer(10, () => fired.push("short"));
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(["negative", "short"]);
  });
});
