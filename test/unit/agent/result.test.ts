// Unit tests of result bounding: small JSON passes, anything else becomes ResultTooLarge.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../src/api/index.js";
import { boundResult } from "../../../src/agent/index.js";

describe("boundResult", () => {
  it("passes small JSON objects through unchanged", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: LIMITS.resultProperties }), (value) => {
        const json = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        fc.pre(Buffer.byteLength(JSON.stringify(json)) <= LIMITS.resultBytes);
        expect(boundResult(json)).toEqual({ ok: true, result: json });
      }),
    );
  });

  it("wraps non-objects, and gives no result for nothing", () => {
    expect(boundResult("hi")).toEqual({ ok: true, result: { value: "hi" } });
    expect(boundResult([1, 2])).toEqual({ ok: true, result: { value: [1, 2] } });
    expect(boundResult(undefined)).toEqual({ ok: true, result: undefined });
    expect(boundResult(null)).toEqual({ ok: true, result: undefined });
  });

  it("replaces results over the limits, or not JSON, by ResultTooLarge", () => {
    const many = Object.fromEntries(Array.from({ length: LIMITS.resultProperties + 1 }, (_, i) => [`k${i}`, i]));
    expect(boundResult(many)).toMatchObject({ ok: false, error: { reason: "ResultTooLarge" } });
    expect(boundResult({ blob: "x".repeat(LIMITS.resultBytes) })).toMatchObject({ ok: false, error: { reason: "ResultTooLarge" } });
    expect(boundResult({ n: 1n })).toMatchObject({ ok: false, error: { reason: "ResultTooLarge" } });
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) deep = { x: deep };
    expect(boundResult(deep)).toMatchObject({ ok: false, error: { reason: "ResultTooLarge", message: "result nests more than 32 levels deep" } });
    // The same handler gives the same result on a retry: no retry can fix it.
    expect(boundResult({ blob: "x".repeat(LIMITS.resultBytes) })).toMatchObject({ ok: false, error: { terminal: true } });
  });
});
