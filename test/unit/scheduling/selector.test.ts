// Label selectors: Kubernetes semantics against an independent reference, and kubectl-style rendering.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSelector, matchesSelector, type LabelSelector } from "../../../src/scheduling/index.js";
import { referenceSelectorMatch } from "./support.js";

const key = fc.constantFrom("zone", "tier", "gpu");
const value = fc.constantFrom("a", "b", "c");
const labelsArb = fc.dictionary(key, value, { maxKeys: 3 });
const selectorArb: fc.Arbitrary<LabelSelector> = fc.record(
  {
    matchLabels: labelsArb,
    matchExpressions: fc.array(
      fc.record({
        key,
        operator: fc.constantFrom("In" as const, "NotIn" as const, "Exists" as const, "DoesNotExist" as const),
        values: fc.uniqueArray(value, { maxLength: 3 }),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

describe("matchesSelector", () => {
  it("agrees with the reference reading of the Kubernetes rules", () => {
    fc.assert(
      fc.property(selectorArb, labelsArb, (selector, labels) => {
        expect(matchesSelector(selector, labels)).toBe(referenceSelectorMatch(selector, labels));
      }),
      { numRuns: 1000 },
    );
  });

  it("handles each operator, including NotIn on a missing label", () => {
    const labels = { zone: "a" };
    expect(matchesSelector(undefined, labels)).toBe(true);
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { zone: "a" } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { zone: "b" } }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["a"] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, labels)).toBe(true);
    // A label named like an Object.prototype member is not "present" by inheritance.
    expect(matchesSelector({ matchExpressions: [{ key: "constructor", operator: "Exists" }] }, labels)).toBe(false);
  });

  it("renders like kubectl", () => {
    expect(
      formatSelector({
        matchLabels: { zone: "a", gpu: "true" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["b", "a"] },
          { key: "spot", operator: "DoesNotExist" },
          { key: "os", operator: "Exists" },
          { key: "arch", operator: "NotIn", values: ["arm"] },
        ],
      }),
    ).toBe("gpu=true,zone=a,tier in (a,b),!spot,os,arch notin (arm)");
    expect(formatSelector(undefined)).toBe("<all>");
  });
});
