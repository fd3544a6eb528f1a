// RecentKeys: remembers finished attempts for a while, bounded by age and by count.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RecentKeys } from "../../../src/agent/recent-keys.js";

describe("RecentKeys", () => {
  it("forgets a key once it is older than the TTL", () => {
    const keys = new RecentKeys<string | number>(1000, 100);
    keys.add("a", "a", 0);
    keys.add("b", "b", 500);
    expect(keys.has("a")).toBe(true);
    keys.add("c", "c", 1000); // a is 1000 ms old: gone; b stays
    expect([keys.has("a"), keys.has("b"), keys.has("c")]).toEqual([false, true, true]);
  });

  it("keeps at most maxSize keys, dropping the oldest", () => {
    const keys = new RecentKeys<string | number>(60_000, 2);
    for (const [i, k] of ["a", "b", "c"].entries()) keys.add(k, k, i);
    expect([keys.has("a"), keys.has("b"), keys.has("c"), keys.size]).toEqual([false, true, true, 2]);
  });

  it("re-adding a key renews it", () => {
    const keys = new RecentKeys<string | number>(1000, 100);
    keys.add("a", "a", 0);
    keys.add("b", "b", 100);
    keys.add("a", "a", 900);
    keys.add("c", "c", 1500); // b (1400 ms old) is gone, a (600 ms) stays
    expect([keys.has("a"), keys.has("b")]).toEqual([true, false]);
  });

  it("keeps an expired key whose value is still needed, with its time started again", () => {
    const keys = new RecentKeys<string>(1000, 100, (v) => v === "still running here");
    keys.add("a", "still running here", 0);
    keys.add("b", "done", 500);
    keys.add("c", "done", 1000); // a expired but is retained (renewed at 1000)
    keys.add("d", "done", 1999); // b expired at 1500: gone; a renewed at 1000: kept
    expect([keys.has("a"), keys.has("b"), keys.has("c"), keys.has("d")]).toEqual([true, false, true, true]);
  });

  it("drops the oldest key beyond maxSize even when its value is still needed", () => {
    const keys = new RecentKeys<string>(60_000, 2, () => true);
    for (const [i, k] of ["a", "b", "c"].entries()) keys.add(k, k, i);
    expect([keys.has("a"), keys.size]).toEqual([false, 2]);
  });

  it("holds exactly the keys added within the TTL, up to maxSize newest (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 300 })), { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), (steps, maxSize) => {
        const ttl = 1000;
        const keys = new RecentKeys<string | number>(ttl, maxSize);
        const lastAdded = new Map<string, number>();
        let now = 0;
        for (const [k, dt] of steps) {
          now += dt;
          keys.add(`k${k}`, k, now);
          lastAdded.delete(`k${k}`);
          lastAdded.set(`k${k}`, now);
        }
        const expected = [...lastAdded].filter(([, at]) => now - at < ttl).slice(-maxSize).map(([k]) => k);
        for (let k = 0; k < 10; k++) expect(keys.has(`k${k}`)).toBe(expected.includes(`k${k}`));
        expect(keys.size).toBe(expected.length);
      }),
    );
  });
});
