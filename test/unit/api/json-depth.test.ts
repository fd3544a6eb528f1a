// JSON depth without recursion: exact on ordinary values, safe on values nested past the encoder's stack.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonDepth } from "../../../src/api/index.js";

function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) {
    const child: Record<string, unknown> = {};
    node["x"] = i % 2 === 0 ? child : [child];
    node = child;
  }
  return root;
}

// The obvious recursive definition, for values shallow enough to recurse on.
function reference(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  return 1 + Math.max(0, ...children.map(reference));
}

describe("jsonDepth", () => {
  it("counts objects and arrays, not scalars", () => {
    expect([jsonDepth(1), jsonDepth("s"), jsonDepth(null), jsonDepth({}), jsonDepth([]), jsonDepth({ a: [1] }), jsonDepth([[[]]])]).toEqual([0, 0, 0, 1, 1, 2, 3]);
  });

  it("agrees with the recursive definition on any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (value) => {
        expect(jsonDepth(value)).toBe(reference(value));
      }),
    );
  });

  it("measures a value nested past JSON.stringify's stack, and stops past the limit", () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonDepth(deep)).toBe(150_000); // 100 000 objects and 50 000 arrays between them
    expect(jsonDepth(deep, 32)).toBe(33);
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    expect(jsonDepth(cycle, 32)).toBe(33);
  });
});
