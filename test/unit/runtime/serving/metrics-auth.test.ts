// The pure parts of protected /metrics: the bearer token of a header, and the bounded TTL cache of reviews.
import { describe, expect, it } from "vitest";
import { bearerToken, TtlCache } from "../../../../src/runtime/serving/metrics-auth.js";

describe("bearerToken", () => {
  it.each([
    ["Bearer abc.def", "abc.def"],
    ["bearer abc", "abc"],
    ["BEARER  abc ", "abc"],
    [undefined, undefined],
    ["", undefined],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
    ["Basic dXNlcjpwdw==", undefined],
  ])("%j → %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe("TtlCache", () => {
  it("forgets an entry once its own time to live has passed", () => {
    let now = 0;
    const cache = new TtlCache<boolean>(() => now);
    cache.set("allowed", true, 300_000);
    cache.set("denied", false, 30_000);
    now = 29_999;
    expect([cache.get("allowed"), cache.get("denied")]).toEqual([true, false]);
    now = 30_000;
    expect([cache.get("allowed"), cache.get("denied")]).toEqual([true, undefined]);
    now = 300_000;
    expect(cache.get("allowed")).toBeUndefined();
  });

  it("stays bounded, dropping the oldest entry first", () => {
    const cache = new TtlCache<number>(() => 0, 3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i, 1000);
    expect(cache.size).toBe(3);
    expect([cache.get("k6"), cache.get("k7"), cache.get("k8"), cache.get("k9")]).toEqual([undefined, 7, 8, 9]);
    cache.set("k7", 70, 1000); // a refreshed entry becomes the newest
    cache.set("k10", 10, 1000);
    expect([cache.get("k7"), cache.get("k8")]).toEqual([70, undefined]);
  });
});
