// Timers at any delay: the real clock never fires early, holds one platform timer at a time, and
// everything that waits on it (sleep, the work queue) inherits that. Node's timers are replaced by
// vitest's fakes, which behave as Node does past 2^31-1 ms: they fire after 1 ms.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_PLATFORM_TIMER_MS, realClock, sleep } from "../../../../src/runtime/clock/index.js";
import { WorkQueue } from "../../../../src/runtime/queue/index.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * DAY_MS;

/** Delays from 0 to ten years, weighted toward the platform limit and the 30 days. */
const delays = fc.oneof(
  fc.integer({ min: 0, max: 10 * YEAR_MS }),
  fc.integer({ min: MAX_PLATFORM_TIMER_MS - 5, max: MAX_PLATFORM_TIMER_MS + 5 }),
  fc.integer({ min: 2 * MAX_PLATFORM_TIMER_MS - 5, max: 2 * MAX_PLATFORM_TIMER_MS + 5 }),
  fc.constantFrom(0, 1, 30 * DAY_MS, 2_592_000_000, 75 * YEAR_MS),
);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("realClock.setTimer", () => {
  it("fires once, never before its delay and within a millisecond after it, at any delay", () => {
    fc.assert(
      fc.property(delays, (ms) => {
        let fired = 0;
        const timer = realClock.setTimer(ms, () => fired++);
        if (ms > 0) {
          vi.advanceTimersByTime(ms - 1);
          expect(fired).toBe(0);
          expect(vi.getTimerCount()).toBe(1);
        }
        vi.advanceTimersByTime(2);
        expect(fired).toBe(1);
        expect(vi.getTimerCount()).toBe(0);
        timer.cancel();
      }),
      { numRuns: 200 },
    );
  });

  it("stops a chain when cancelled between hops", () => {
    let fired = false;
    const timer = realClock.setTimer(3 * YEAR_MS, () => (fired = true));
    vi.advanceTimersByTime(YEAR_MS);
    timer.cancel();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5 * YEAR_MS);
    expect(fired).toBe(false);
  });

  it("never fires an infinite delay and fires negative and NaN delays at once", () => {
    const fired: string[] = [];
    realClock.setTimer(Infinity, () => fired.push("infinite"));
    realClock.setTimer(-5, () => fired.push("negative"));
    realClock.setTimer(Number.NaN, () => fired.push("nan"));
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["negative", "nan"]);
    vi.advanceTimersByTime(100 * YEAR_MS);
    expect(fired).toEqual(["negative", "nan"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("waiting on the real clock", () => {
  it("sleep resolves no earlier than asked, and at once on abort", async () => {
    await fc.assert(
      fc.asyncProperty(delays.filter((ms) => ms > 0), async (ms) => {
        let done = false;
        const slept = sleep(realClock, ms).then(() => (done = true));
        await vi.advanceTimersByTimeAsync(ms - 1);
        expect(done).toBe(false);
        await vi.advanceTimersByTimeAsync(2);
        await slept;
      }),
      { numRuns: 50 },
    );
    const abort = new AbortController();
    const slept = sleep(realClock, 40 * DAY_MS, abort.signal);
    await vi.advanceTimersByTimeAsync(30 * DAY_MS);
    abort.abort();
    await slept;
    expect(vi.getTimerCount()).toBe(0);
  });

  it("the work queue holds an addAfter item until its time, at any delay", async () => {
    await fc.assert(
      fc.asyncProperty(delays.filter((ms) => ms > 0), async (ms) => {
        const queue = new WorkQueue<string>();
        queue.addAfter("job", ms);
        vi.advanceTimersByTime(ms - 1);
        expect(queue.len()).toBe(0);
        vi.advanceTimersByTime(2);
        expect(queue.len()).toBe(1);
        expect(await queue.get()).toBe("job");
        queue.shutDown();
      }),
      { numRuns: 100 },
    );
  });
});
