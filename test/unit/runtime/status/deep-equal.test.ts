// jsonEqual agrees with "same JSON after a round trip", ignoring key order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonEqual } from "../../../../src/runtime/status/index.js";

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

describe("jsonEqual", () => {
  const json = fc.jsonValue();
  it("is true for a value and its JSON round trip or structured clone", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(jsonEqual(v, JSON.parse(JSON.stringify(v)))).toBe(true);
        expect(jsonEqual(v, structuredClone(v))).toBe(true);
      }),
    );
  });

  it("agrees with comparing canonical JSON", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(jsonEqual(a, b)).toBe(canonical(a) === canonical(b));
      }),
    );
  });

  it("treats an undefined property as absent and ignores key order", () => {
    expect(jsonEqual({ phase: "Running", lastError: undefined }, { phase: "Running" })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual({ conditions: [{ type: "A" }, { type: "B" }] }, { conditions: [{ type: "B" }, { type: "A" }] })).toBe(false);
    expect(jsonEqual(undefined, {})).toBe(false);
  });
});
