// humanDuration matches kubectl's HumanDuration and stays short and well-formed for any input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ageOf, durationCell, humanDuration } from "../../../../src/cli/output/index.js";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe("humanDuration", () => {
  it.each([
    [-5 * s, "<invalid>"],
    [-500, "0s"],
    [0, "0s"],
    [59 * s, "59s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [3 * m + 12 * s, "3m12s"],
    [10 * m + 30 * s, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [5 * h + 2 * m, "5h2m"],
    [30 * h, "30h"],
    [3 * d + 4 * h, "3d4h"],
    [40 * d, "40d"],
    [800 * d, "2y70d"],
    [9 * 365 * d, "9y"],
  ])("%d ms → %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it("is at most 7 characters of digits and units for any non-negative duration below a century", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 * 365 * d }), (ms) => {
        expect(humanDuration(ms)).toMatch(/^(\d+[smhdy]){1,2}$/);
        expect(humanDuration(ms).length).toBeLessThanOrEqual(7);
      }),
    );
  });

  it("never decreases as time passes (comparing the leading unit's seconds)", () => {
    const toSeconds = (text: string): number => {
      const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, y: 365 * 86_400 };
      return [...text.matchAll(/(\d+)([smhdy])/g)].reduce((sum, [, n, u]) => sum + Number(n) * (unit[u ?? "s"] ?? 0), 0);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 * 365 * d }), fc.integer({ min: 0, max: 365 * d }), (a, delta) => {
        expect(toSeconds(humanDuration(a + delta))).toBeGreaterThanOrEqual(toSeconds(humanDuration(a)));
      }),
    );
  });

  it("ages and cells handle missing times", () => {
    expect(ageOf(undefined, 0)).toBe("<unknown>");
    expect(ageOf("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:01:00Z"))).toBe("60s");
    expect(durationCell(undefined)).toBe("-");
  });
});
