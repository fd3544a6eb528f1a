// Merging a namespace's FeatureFlagSets into the one flag set its flags are evaluated within.
import { describe, expect, it } from "vitest";
import { mergeFlagSets } from "../../../src/flags/index.js";

describe("mergeFlagSets", () => {
  it("is empty without sets, and keeps the first definition of each name across sets", () => {
    expect(mergeFlagSets([])).toEqual({});
    const merged = mergeFlagSets([
      { evaluators: { a: { var: "x" } }, metadata: { team: "web" } },
      { evaluators: { a: { var: "y" }, b: true }, metadata: { team: "platform", env: "prod" }, context: { region: "eu" } },
    ]);
    expect(merged).toEqual({ evaluators: { a: { var: "x" }, b: true }, metadata: { team: "web", env: "prod" }, context: { region: "eu" } });
  });
});
