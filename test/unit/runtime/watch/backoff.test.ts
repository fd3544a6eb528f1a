// Capped exponential backoff: grows by the factor, never passes the cap, resets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff, backoffDelay } from "../../../../src/runtime/watch/index.js";

describe("backoffDelay", () => {
  const options = fc.record({
    initialMs: fc.integer({ min: 1, max: 5_000 }),
    maxMs: fc.integer({ min: 1, max: 120_000 }),
    factor: fc.double({ min: 1, max: 4, noNaN: true }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

  it("stays within [min(base, max), max] for any attempt and random draw", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 0, max: 200 }), unit, (opts, attempt, r) => {
        const delay = backoffDelay(attempt, opts, () => r);
        const base = Math.min(opts.maxMs, opts.initialMs * opts.factor ** attempt);
        expect(delay).toBeLessThanOrEqual(opts.maxMs);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base));
      }),
    );
  });

  it("never shrinks as failures accumulate (same random draw)", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 0, max: 100 }), unit, (opts, attempt, r) => {
        expect(backoffDelay(attempt + 1, opts, () => r)).toBeGreaterThanOrEqual(backoffDelay(attempt, opts, () => r));
      }),
    );
  });

  it("doubles from 500 ms to the 30 s cap by default without jitter", () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelay(i, { jitter: 0 }));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});

describe("Backoff", () => {
  it("grows with each failure and starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    expect(backoff.failures).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
