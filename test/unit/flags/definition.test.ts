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

  it("serves variants of mixed types as flagd does, warning with the types found", () => {
    const result = validateFlagDefinition("mixed", { state: "ENABLED", variants: { on: true, off: "no" }, defaultVariant: "on" });
    if (!result.valid) throw new Error(result.message);
    expect(result.warnings).toMatch(/^invalid flagd flag configuration: all variants must have one type/);
    expect(result.warnings).toContain("found boolean, string");
    expect(result.warnings).toContain("spec.variants.off must be boolean");
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

  it("warns about malformed operator arguments found by flagd's schema, pointing at the field, and serves the flag", () => {
    expect(validateFlagDefinition("t", booleanFlag(true, { targeting: { if: [{ "==": [{ var: "a" }] }, "on", null] } }))).toMatchObject({
      valid: true,
      warnings: "invalid flagd flag configuration: spec.targeting.if[0].== must NOT have fewer than 2 items",
    });
  });

  it("accepts a flag without default variant (null or absent) and one keyed apart from its object", () => {
    for (const spec of [{ state: "ENABLED", variants: { a: 1 } }, { state: "ENABLED", variants: { a: 1 }, defaultVariant: null }]) {
      expect(validateFlagDefinition("n", spec)).toMatchObject({ valid: true, defaultValue: undefined, warnings: undefined });
    }
    expect(validateFlagDefinition("Upper_Key", { key: "Upper_Key", ...booleanFlag(true) })).toMatchObject({ valid: true, warnings: undefined });
  });

  it("expands $ref from the flag set's evaluators and merges its metadata under the flag's", () => {
    const spec = booleanFlag(false, { targeting: { if: [{ $ref: "is_pro" }, "on", null] }, metadata: { owner: "web" } });
    const flagSet = { evaluators: { is_pro: { "==": [{ var: "plan" }, "pro"] } }, metadata: { owner: "platform", env: "prod" } };
    const result = validateFlagDefinition("r", spec, flagSet);
    if (!result.valid) throw new Error(result.message);
    expect(result.flag.evaluate({ plan: "pro" })).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
    expect(result.flag.metadata).toEqual({ owner: "web", env: "prod" });
    expect(invalid("r", spec)).toContain("Invalid targeting configuration for flag 'r'");
  });

  it("refuses an unknown state", () => {
    expect(invalid("s", booleanFlag(true, { state: "ON" }))).toContain('Invalid flag state: "ON"');
  });
});
