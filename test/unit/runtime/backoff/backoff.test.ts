// The one backoff formula: capped, monotone in the attempt, jitter within its range.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exponentialBackoff } from "../../../../src/runtime/backoff/index.js";

const policies = fc.record({
  baseMs: fc.integer({ min: 0, max: 5_000 }),
  maxMs: fc.integer({ min: 0, max: 120_000 }),
  factor: fc.double({ min: 1, max: 4, noNaN: true }),
});
const jitters = fc
  .tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }))
  .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const attempts = fc.integer({ min: 0, max: 2_000 });

describe("exponentialBackoff", () => {
  it("never exceeds maxMs and is a finite number, jittered or not", () => {
    fc.assert(
      fc.property(policies, fc.option(jitters, { nil: undefined }), attempts, unit, (policy, jitter, attempt, r) => {
        const delay = exponentialBackoff({ ...policy, ...(jitter === undefined ? {} : { jitter }) })(attempt, () => r);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeLessThanOrEqual(policy.maxMs);
        expect(delay).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("never shrinks as attempts grow (same random draw)", () => {
    fc.assert(
      fc.property(policies, fc.option(jitters, { nil: undefined }), attempts, unit, (policy, jitter, attempt, r) => {
        const delayOf = exponentialBackoff({ ...policy, ...(jitter === undefined ? {} : { jitter }) });
        expect(delayOf(attempt + 1, () => r)).toBeGreaterThanOrEqual(delayOf(attempt, () => r));
      }),
    );
  });

  it("stays within the jitter's range of the exact delay", () => {
    fc.assert(
      fc.property(policies, jitters, attempts, unit, (policy, jitter, attempt, r) => {
        const exact = exponentialBackoff(policy)(attempt);
        const delay = exponentialBackoff({ ...policy, jitter })(attempt, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.min(policy.maxMs, Math.floor(exact * jitter.min)));
        expect(delay).toBeLessThanOrEqual(Math.min(policy.maxMs, Math.ceil(exact * jitter.max)));
      }),
    );
  });

  it("grows by the factor from baseMs up to the cap", () => {
    const delayOf = exponentialBackoff({ baseMs: 100, maxMs: 5_000 });
    expect(Array.from({ length: 8 }, (_, i) => delayOf(i))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(exponentialBackoff({ baseMs: 1, maxMs: 10, factor: 3 })(2)).toBe(9);
  });

  it("a negative attempt counts as 0; a zero base stays 0 however many attempts", () => {
    expect(exponentialBackoff({ baseMs: 100, maxMs: 5_000 })(-3)).toBe(100);
    expect(exponentialBackoff({ baseMs: 0, maxMs: 5_000 })(10_000)).toBe(0);
  });

  it("jitter scales by a draw from [min, max) and rounds to whole ms", () => {
    const delayOf = exponentialBackoff({ baseMs: 1_000, maxMs: 30_000, jitter: { min: 0.8, max: 1.2 } });
    expect(delayOf(0, () => 0)).toBe(800);
    expect(delayOf(0, () => 0.5)).toBe(1_000);
    expect(delayOf(1, () => 0.3333)).toBe(1_867);
    expect(delayOf(10, () => 0.99)).toBe(30_000);
  });
});
