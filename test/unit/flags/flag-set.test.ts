// The per-namespace evaluator: isolation of invalid flags, last valid definition, context, rollout share.
import { ErrorCode } from "@openfeature/core";
import fc from "fast-check";
import type { FeatureFlag } from "../../../src/api/index.js";
import { describe, expect, it } from "vitest";
import { FlagSet, toEvaluationContext } from "../../../src/flags/index.js";
import { booleanFlag, flagObject, numberFlag, REFUSED_FLAG } from "./support.js";

const MIXED = REFUSED_FLAG;

function withMeta(flag: FeatureFlag, metadata: Partial<FeatureFlag["metadata"]>): FeatureFlag {
  return { ...flag, metadata: { ...flag.metadata, ...metadata } };
}

describe("FlagSet", () => {
  it("serves valid flags while an invalid one sits beside them", () => {
    const set = new FlagSet();
    set.apply(flagObject("good", booleanFlag(true)));
    set.apply(flagObject("bad", MIXED));
    expect(set.resolve("boolean", "good", false)).toMatchObject({ value: true, reason: "STATIC", variant: "on" });
    const bad = set.resolve("boolean", "bad", false);
    expect(bad).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.PARSE_ERROR });
    expect(bad.errorMessage).toContain("Invalid targeting configuration for flag 'bad'");
  });

  it("keeps serving the last valid definition until a valid one replaces it", () => {
    const set = new FlagSet();
    expect(set.apply(flagObject("f", numberFlag(5), { generation: 1 }))).toEqual(["f"]);
    expect(set.apply(flagObject("f", MIXED, { generation: 2 }))).toEqual([]);
    expect(set.resolve("number", "f", 0)).toMatchObject({ value: 5, reason: "STATIC" });
    expect(set.state("f")).toMatchObject({ generation: 2, validation: { valid: false }, serving: { generation: 1, defaultValue: 5 } });
    expect(set.apply(flagObject("f", numberFlag(7), { generation: 3 }))).toEqual(["f"]);
    expect(set.resolve("number", "f", 0)).toMatchObject({ value: 7 });
  });

  it("serves status.lastValid when this process never saw a valid spec (e.g. after a restart)", () => {
    const set = new FlagSet();
    const status = { lastValid: { generation: 4, spec: numberFlag(9) as never } };
    set.apply(flagObject("f", MIXED, { generation: 6, status }));
    expect(set.resolve("number", "f", 0)).toMatchObject({ value: 9 });
    expect(set.state("f")?.serving?.generation).toBe(4);
  });

  it("prefers the newer of what it saw and what status recorded, and never trusts an invalid record", () => {
    const set = new FlagSet();
    set.apply(flagObject("f", numberFlag(5), { generation: 5 }));
    set.apply(flagObject("f", MIXED, { generation: 6, status: { lastValid: { generation: 4, spec: numberFlag(1) as never } } }));
    expect(set.resolve("number", "f", 0).value).toBe(5);
    const other = new FlagSet();
    other.apply(flagObject("g", MIXED, { generation: 2, status: { lastValid: { generation: 1, spec: MIXED as never } } }));
    expect(other.resolve("number", "g", 0)).toMatchObject({ errorCode: ErrorCode.PARSE_ERROR });
  });

  it("forgets the last valid definition of a deleted and recreated flag", () => {
    const set = new FlagSet();
    set.apply(flagObject("f", numberFlag(5), { uid: "first" }));
    set.apply(flagObject("f", MIXED, { uid: "second" }));
    expect(set.resolve("number", "f", 0)).toMatchObject({ errorCode: ErrorCode.PARSE_ERROR });
    expect(set.remove("f")).toEqual([]);
    expect(set.resolve("number", "f", 0)).toMatchObject({ errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("reports change only when what serves changes", () => {
    const set = new FlagSet();
    const first = flagObject("f", booleanFlag(true));
    expect(set.apply(first)).toEqual(["f"]);
    expect(set.apply(first)).toEqual([]); // resync
    expect(set.apply(flagObject("f", booleanFlag(true), { status: { observedGeneration: 1 } }))).toEqual([]);
    expect(set.apply(flagObject("f", booleanFlag(false), { generation: 2 }))).toEqual(["f"]);
    expect(set.remove("f")).toEqual(["f"]);
  });

  it("serves a flag under spec.key, and one object per shared key: the one named after it, else the oldest", () => {
    const set = new FlagSet();
    const created = (t: string) => ({ creationTimestamp: `2030-01-01T00:00:0${t}Z` });
    expect(set.apply(withMeta(flagObject("a", { key: "Shared_Key", ...numberFlag(1) }), created("2")))).toEqual(["Shared_Key"]);
    expect(set.resolve("number", "Shared_Key", 0)).toMatchObject({ value: 1 });
    expect(set.resolve("number", "a", 0)).toMatchObject({ errorCode: ErrorCode.FLAG_NOT_FOUND });
    // An older claimant takes the key over; a younger one does not.
    expect(set.apply(withMeta(flagObject("b", { key: "Shared_Key", ...numberFlag(2) }), created("1")))).toEqual(["Shared_Key"]);
    expect(set.apply(withMeta(flagObject("c", { key: "Shared_Key", ...numberFlag(3) }), created("3")))).toEqual([]);
    expect(set.claimants("Shared_Key")).toEqual(["b", "a", "c"]);
    expect(set.resolve("number", "Shared_Key", 0)).toMatchObject({ value: 2 });
    // The object named after a key beats older claimants.
    set.apply(flagObject("plain", numberFlag(7)));
    set.apply(withMeta(flagObject("older", { key: "plain", ...numberFlag(8) }), created("0")));
    expect(set.claimants("plain")).toEqual(["plain", "older"]);
    expect(set.resolve("number", "plain", 0)).toMatchObject({ value: 7 });
    expect(set.remove("b")).toEqual(["Shared_Key"]);
    expect(set.resolve("number", "Shared_Key", 0)).toMatchObject({ value: 1 });
  });

  it("evaluates within the namespace's flag set: $ref evaluators, metadata under the flag's, static context under the caller's", () => {
    const set = new FlagSet();
    set.apply(flagObject("f", booleanFlag(false, { targeting: { if: [{ $ref: "is_pro" }, "on", null] }, metadata: { team: "web" } })));
    expect(set.resolve("boolean", "f", true)).toMatchObject({ value: true, errorCode: ErrorCode.PARSE_ERROR });
    const changed = set.setDefinition({ evaluators: { is_pro: { "==": [{ var: "plan" }, "pro"] } }, metadata: { team: "platform", env: "prod" }, context: { plan: "pro" } });
    expect(changed).toEqual(["f"]);
    expect(set.resolve("boolean", "f", false)).toMatchObject({ value: true, reason: "TARGETING_MATCH", flagMetadata: { team: "web", env: "prod" } });
    expect(set.resolve("boolean", "f", true, { plan: "free" })).toMatchObject({ value: false, reason: "DEFAULT" });
    expect(set.resolve("boolean", "missing", true)).toMatchObject({ errorCode: ErrorCode.FLAG_NOT_FOUND });
    // Losing the evaluator does not take the flag away: what served keeps serving.
    expect(set.setDefinition({})).toEqual(["f"]);
    expect(set.state("f")?.validation.valid).toBe(false);
    expect(set.resolve("boolean", "f", false, { plan: "pro" })).toMatchObject({ value: true });
  });

  it("answers DISABLED, TYPE_MISMATCH and FLAG_NOT_FOUND as flagd-core does", () => {
    const set = new FlagSet();
    set.apply(flagObject("off", booleanFlag(true, { state: "DISABLED" })));
    set.apply(flagObject("n", numberFlag(3)));
    expect(set.resolve("boolean", "off", false)).toMatchObject({ value: false, reason: "DISABLED" });
    expect(set.resolve("boolean", "n", false)).toMatchObject({ value: false, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(set.resolve("boolean", "missing", true)).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("targets on jobType, queue, namespace, priority, agent and agent labels", () => {
    const set = new FlagSet();
    const rule = {
      if: [
        {
          and: [
            { "==": [{ var: "jobType" }, "report.generate"] },
            { "==": [{ var: "queue" }, "batch"] },
            { "==": [{ var: "namespace" }, "team-a"] },
            { "==": [{ var: "priority" }, "high"] },
            { starts_with: [{ var: "agent" }, "gpu-"] },
            { "==": [{ var: "zone" }, "eu"] },
          ],
        },
        "on",
        "off",
      ],
    };
    set.apply(flagObject("f", booleanFlag(false, { targeting: rule })));
    const ctx = { jobType: "report.generate", queue: "batch", namespace: "team-a", priority: "high", agent: "gpu-1", agentLabels: { zone: "eu" } };
    expect(set.resolve("boolean", "f", false, toEvaluationContext(ctx))).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
    for (const change of [{ jobType: "x" }, { queue: "x" }, { namespace: "x" }, { priority: "x" }, { agent: "cpu-1" }, { agentLabels: { zone: "us" } }]) {
      expect(set.resolve("boolean", "f", true, toEvaluationContext({ ...ctx, ...change })).value, JSON.stringify(change)).toBe(false);
    }
  });

  it("lets the well-known context keys win over agent labels of the same name", () => {
    expect(toEvaluationContext({ agent: "a1", agentLabels: { agent: "spoof", zone: "eu" } })).toEqual({ agent: "a1", zone: "eu", targetingKey: "a1" });
  });

  it("rolls a fractional flag out to its share of agents, stably per agent", () => {
    const set = new FlagSet();
    set.apply(flagObject("rollout", booleanFlag(false, { targeting: { fractional: [["on", 20], ["off", 80]] } })));
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 2000, maxLength: 2000 }), (agents) => {
        const on = agents.filter((agent) => set.resolve("boolean", "rollout", false, toEvaluationContext({ agent })).value).length;
        expect(on / agents.length).toBeGreaterThan(0.16);
        expect(on / agents.length).toBeLessThan(0.24);
      }),
      { numRuns: 10 },
    );
    const first = set.resolve("boolean", "rollout", false, toEvaluationContext({ agent: "agent-7" })).value;
    for (let i = 0; i < 5; i++) expect(set.resolve("boolean", "rollout", false, toEvaluationContext({ agent: "agent-7" })).value).toBe(first);
  });
});
