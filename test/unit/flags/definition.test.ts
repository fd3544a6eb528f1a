// Validation of single flag definitions: flagd-core's verdicts, condensed messages.
import { describe, expect, it } from "vitest";
import { validateFlagDefinition } from "../../../src/flags/index.js";
import { booleanFlag } from "./support.js";

const invalid = (key: string, spec: unknown): string => {
  const result = validateFlagDefinition(key, spec);
  if (result.valid) throw new Error(`expected ${key} to be invalid`);
  return result.message;
};

describe("validateFlagDefinition", () => {
  it("accepts flagd definitions with flagd's custom operators and reports the default value", () => {
    const specs = [
      booleanFlag(true),
      booleanFlag(false, { targeting: { fractional: [["on", 20], ["off", 80]] } }),
      booleanFlag(false, { targeting: { if: [{ in: [{ var: "jobType" }, ["report.generate"]] }, "on", null] } }),
      { state: "ENABLED", variants: { a: "x", b: "y" }, defaultVariant: "a", targeting: { if: [{ sem_ver: [{ var: "version" }, ">=", "1.2.0"] }, "b", null] } },
      { state: "ENABLED", variants: { a: "x", b: "y" }, defaultVariant: "a", targeting: { if: [{ starts_with: [{ var: "agent" }, "gpu-"] }, "b", { ends_with: [{ var: "queue" }, "-batch"] }, "b", null] } },
      { state: "DISABLED", variants: { small: { size: 1 }, big: { size: 9 } }, defaultVariant: "big" },
    ];
    for (const spec of specs) expect(validateFlagDefinition("f", spec)).toMatchObject({ valid: true });
    expect(validateFlagDefinition("f", booleanFlag(false))).toMatchObject({ valid: true, defaultValue: false });
    expect(validateFlagDefinition("f", specs[5])).toMatchObject({ valid: true, defaultValue: { size: 9 } });
  });

  it("refuses variants of mixed types, naming the types found", () => {
    const message = invalid("mixed", { state: "ENABLED", variants: { on: true, off: "no" }, defaultVariant: "on" });
    expect(message).toMatch(/^invalid flagd flag configuration: all variants must have one type/);
    expect(message).toContain("found boolean, string");
    expect(message).toContain("spec.variants.off must be boolean");
  });

  it("refuses a defaultVariant that is not a variant with flagd-core's own message", () => {
    expect(invalid("d", booleanFlag(true, { defaultVariant: "maybe" }))).toBe(
      "invalid flagd flag configuration: Default variant maybe missing from variants {}",
    );
  });

  it("refuses targeting that does not compile, and names the unknown operator", () => {
    const message = invalid("t", booleanFlag(true, { targeting: { nope: [1] } }));
    expect(message).toContain("Invalid targeting configuration for flag 't'");
    expect(message).toContain("spec.targeting must NOT have additional properties 'nope'");
  });

  it("refuses malformed operator arguments found by flagd's schema, pointing at the field", () => {
    expect(invalid("t", booleanFlag(true, { targeting: { if: [{ "==": [{ var: "a" }] }, "on", null] } }))).toBe(
      "invalid flagd flag configuration: spec.targeting.if[0].== must NOT have fewer than 2 items",
    );
  });

  it("refuses an unknown state", () => {
    expect(invalid("s", booleanFlag(true, { state: "ON" }))).toContain('Invalid flag state: "ON"');
  });
});
