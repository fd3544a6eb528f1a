// The cache's string interner: equal strings come back as the first copy seen, within a bounded table.
import { describe, expect, it } from "vitest";
import { Interner, SharedValues } from "../../../../src/runtime/cache/index.js";

// Two equal strings built at run time are distinct heap objects; V8 cannot tell them apart by
// value, so the test checks sharing by what the interner keeps, and equality by value.
const fresh = (text: string): string => [...text].join("");

describe("Interner", () => {
  it("returns equal values, keeps one entry per distinct value and passes undefined through", () => {
    const interner = new Interner();
    expect(interner.intern(fresh("default"))).toBe("default");
    expect(interner.intern(fresh("default"))).toBe("default");
    expect(interner.intern(undefined)).toBeUndefined();
    expect(interner.size).toBe(1);
  });

  it("starts afresh past its capacity, so unique values cannot grow it without bound", () => {
    const interner = new Interner(3);
    for (let i = 0; i < 10; i++) expect(interner.intern(`v${i}`)).toBe(`v${i}`);
    expect(interner.size).toBeLessThanOrEqual(3);
  });
});

describe("SharedValues", () => {
  it("makes a value once per key and hands the same object out after", () => {
    const shared = new SharedValues<{ n: number }>();
    let made = 0;
    const make = (): { n: number } => ({ n: ++made });
    const first = shared.get("a", make);
    expect(shared.get("a", make)).toBe(first);
    expect(shared.get("b", make)).not.toBe(first);
    expect(made).toBe(2);
  });
});
