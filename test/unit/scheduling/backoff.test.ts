// Retry backoff: bounds, growth in expectation, and equal jitter.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../../src/scheduling/index.js";

const policyArb = fc
  .record({ backoffSeconds: fc.integer({ min: 1, max: 120 }), maxBackoffSeconds: fc.integer({ min: 1, max: 3600 }) });
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const constant = (r: number) => () => r;
/** Mean over an even grid of random values: the expectation for a uniform source. */
const mean = (retries: number, policy: { backoffSeconds: number; maxBackoffSeconds: number }) => {
  const grid = Array.from({ length: 100 }, (_, i) => (i + 0.5) / 100);
  return grid.reduce((sum, r) => sum + retryDelayMs(retries, policy, constant(r)), 0) / grid.length;
};

describe("retryDelayMs", () => {
  it("stays within [min(backoff, max)/2, max]", () => {
    fc.assert(
      fc.property(fc.integer({ min: -2, max: 2000 }), policyArb, randomArb, (retries, policy, r) => {
        const delay = retryDelayMs(retries, policy, constant(r));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual((Math.min(policy.backoffSeconds, policy.maxBackoffSeconds) * 1000) / 2);
        expect(delay).toBeLessThanOrEqual(policy.maxBackoffSeconds * 1000);
      }),
    );
  });

  it("grows with the retry count for the same random draw, so it grows in expectation", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), policyArb, randomArb, (retries, policy, r) => {
        expect(retryDelayMs(retries + 1, policy, constant(r))).toBeGreaterThanOrEqual(retryDelayMs(retries, policy, constant(r)));
      }),
    );
  });

  it("doubles its expectation per retry until the cap, then stays at 3/4 of the cap", () => {
    const policy = { backoffSeconds: 10, maxBackoffSeconds: 600 };
    const means = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => mean(n, policy));
    for (let i = 1; i < 6; i++) expect((means[i] as number) / (means[i - 1] as number)).toBeCloseTo(2, 1);
    expect(means[6]).toBeGreaterThan(means[5] as number); // 640 s is capped to 600 s
    expect(means[8]).toBeCloseTo(means[7] as number, 5);
    expect(means[8]).toBeCloseTo(0.75 * 600_000, -3);
  });

  it("uses equal jitter: the first retry waits between half the backoff and the backoff", () => {
    const policy = { backoffSeconds: 10, maxBackoffSeconds: 600 };
    expect(retryDelayMs(1, policy, constant(0))).toBe(5_000);
    expect(retryDelayMs(1, policy, constant(0.5))).toBe(7_500);
    expect(retryDelayMs(1, policy, constant(0.999999))).toBe(10_000);
    expect(retryDelayMs(3, policy, constant(0))).toBe(20_000);
    expect(retryDelayMs(1_000_000, policy, constant(0))).toBe(300_000);
  });

  it("treats zero backoff as no delay and clamps a bad random source", () => {
    expect(retryDelayMs(3, { backoffSeconds: 0, maxBackoffSeconds: 600 }, constant(0.5))).toBe(0);
    expect(retryDelayMs(1, { backoffSeconds: 10, maxBackoffSeconds: 600 }, constant(7))).toBe(10_000);
    expect(retryDelayMs(1, { backoffSeconds: 10, maxBackoffSeconds: 600 }, constant(-1))).toBe(5_000);
  });
});
