// The per-namespace evaluator: isolation of invalid flags, last valid definition, context, rollout share.
import { ErrorCode } from "@openfeature/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlagSet, toEvaluationContext } from "../../../src/flags/index.js";
import { booleanFlag, flagObject, numberFlag } from "./support.js";

const MIXED = { state: "ENABLED", variants: { on: true, off: "no" }, defaultVariant: "on" };

describe("FlagSet", () => {
  it("serves valid flags while an invalid one sits beside them", () => {
    const set = new FlagSet();
    set.apply(flagObject("good", booleanFlag(true)));
    set.apply(flagObject("bad", MIXED));
    expect(set.resolve("boolean", "good", false)).toMatchObject({ value: true, reason: "STATIC", variant: "on" });
    const bad = set.resolve("boolean", "bad", false);
    expect(bad).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.PARSE_ERROR });
    expect(bad.errorMessage).toContain("all variants must have one type");
  });

  it("keeps serving the last valid definition until a valid one replaces it", () => {
    const set = new FlagSet();
    expect(set.apply(flagObject("f", numberFlag(5), { generation: 1 }))).toBe(true);
    expect(set.apply(flagObject("f", MIXED, { generation: 2 }))).toBe(false);
    expect(set.resolve("number", "f", 0)).toMatchObject({ value: 5, reason: "STATIC" });
    expect(set.state("f")).toMatchObject({ generation: 2, validation: { valid: false }, serving: { generation: 1, defaultValue: 5 } });
    expect(set.apply(flagObject("f", numberFlag(7), { generation: 3 }))).toBe(true);
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
    expect(set.remove("f")).toBe(false);
    expect(set.resolve("number", "f", 0)).toMatchObject({ errorCode: ErrorCode.FLAG_NOT_FOUND });
  });

  it("reports change only when what serves changes", () => {
    const set = new FlagSet();
    const first = flagObject("f", booleanFlag(true));
    expect(set.apply(first)).toBe(true);
    expect(set.apply(first)).toBe(false); // resync
    expect(set.apply(flagObject("f", booleanFlag(true), { status: { observedGeneration: 1 } }))).toBe(false);
    expect(set.apply(flagObject("f", booleanFlag(false), { generation: 2 }))).toBe(true);
    expect(set.remove("f")).toBe(true);
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
