// `helios status`: queue depth by priority and oldest wait, agents by phase, control flags in effect.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capOfFlagValue, delayOfFlagValue, PRIORITY_CLASSES, type Job, type JobPhase, type PriorityClass } from "../../../../src/api/index.js";
import { flagsInEffect, formatStatus, statusSummary, summarizeAgents, summarizeQueues } from "../../../../src/cli/output/index.js";
import { agent, at, flag, job, T0 } from "./fixtures.js";

const now = T0 + 3_600_000;
const blocked = { type: "Blocked", status: "True" as const, reason: "DispatchPaused", message: "", lastTransitionTime: at(0) };

describe("summarizeQueues", () => {
  it("counts Pending by priority, Blocked, Assigned and Running per namespace and queue, and the oldest wait", () => {
    const jobs = [
      job("p1", { phase: "Pending", queuedAt: at(600_000) }, { priority: "high" }),
      job("p2", undefined, { priority: "low" }, { createdMs: 60_000 }),
      job("p3", { phase: "Pending", queuedAt: at(3_000_000), conditions: [blocked] }, { priority: "high" }),
      job("r1", { phase: "Running" }),
      job("a1", { phase: "Assigned" }),
      job("done", { phase: "Succeeded" }),
      job("f1", { phase: "Pending", queuedAt: at(0) }, { queue: "fast" }, { namespace: "team-b" }),
    ];
    const queues = summarizeQueues(jobs, [agent("x", { queues: ["default", "idle"] })], now);
    expect(queues).toEqual([
      {
        namespace: "team-a",
        queue: "default",
        pending: 3,
        pendingByPriority: { critical: 0, high: 2, normal: 0, low: 1 },
        blocked: 1,
        assigned: 1,
        running: 1,
        oldestWaitMs: 3_540_000,
      },
      { namespace: "team-a", queue: "idle", pending: 0, pendingByPriority: { critical: 0, high: 0, normal: 0, low: 0 }, blocked: 0, assigned: 0, running: 0 },
      {
        namespace: "team-b",
        queue: "fast",
        pending: 1,
        pendingByPriority: { critical: 0, high: 0, normal: 1, low: 0 },
        blocked: 0,
        assigned: 0,
        running: 0,
        oldestWaitMs: 3_600_000,
      },
    ]);
  });

  it("depth by priority always adds up to the Pending jobs, and the oldest wait is the largest wait", () => {
    const phases: JobPhase[] = ["Pending", "Assigned", "Running", "Succeeded", "Failed"];
    const arbJob = fc.record({
      phase: fc.constantFrom(...phases, undefined),
      priority: fc.constantFrom<PriorityClass>(...PRIORITY_CLASSES),
      queue: fc.constantFrom("q1", "q2"),
      queuedMs: fc.integer({ min: 0, max: 3_600_000 }),
    });
    fc.assert(
      fc.property(fc.array(arbJob, { maxLength: 40 }), (specs) => {
        const jobs: Job[] = specs.map((s, i) =>
          job(`j${i}`, s.phase === undefined ? undefined : { phase: s.phase, queuedAt: at(s.queuedMs) }, { priority: s.priority, queue: s.queue }, { createdMs: s.queuedMs }),
        );
        for (const q of summarizeQueues(jobs, [], now)) {
          const pending = specs.filter((s) => s.queue === q.queue && (s.phase === undefined || s.phase === "Pending"));
          expect(q.pending).toBe(pending.length);
          expect(Object.values(q.pendingByPriority).reduce((a, b) => a + b, 0)).toBe(q.pending);
          if (pending.length === 0) expect(q.oldestWaitMs).toBeUndefined();
          else expect(q.oldestWaitMs).toBe(now - T0 - Math.min(...pending.map((s) => s.queuedMs)));
        }
      }),
    );
  });
});

describe("summarizeAgents", () => {
  it("groups agents by phase per namespace with in-flight work and Ready capacity", () => {
    const agents = [agent("a", { maxConcurrency: 3 }), agent("b", {}, { phase: "Offline" }), agent("c", {}, null), agent("d", {}, { phase: "Ready" }, "team-b")];
    const jobs = [job("j", { phase: "Running", assignedAgent: "a" }), job("k", { phase: "Running", assignedAgent: "b" })];
    expect(summarizeAgents(agents, jobs)).toEqual([
      { namespace: "team-a", phases: { Ready: 1, Offline: 1, Draining: 0, Quarantined: 0, Unknown: 1 }, total: 3, inflight: 2, readyCapacity: 3 },
      { namespace: "team-b", phases: { Ready: 1, Offline: 0, Draining: 0, Quarantined: 0 }, total: 1, inflight: 0, readyCapacity: 2 },
    ]);
  });
});

describe("flagsInEffect", () => {
  const bool = (defaultVariant: "on" | "off", extra: object = {}) => ({ state: "ENABLED" as const, variants: { on: true, off: false }, defaultVariant, ...extra });

  it("gives every control flag, neutral when missing", () => {
    const flags = flagsInEffect([]);
    expect(flags.map((f) => f.key)).toEqual([
      "helios-dispatch-paused",
      "helios-job-kill-switch",
      "helios-agent-max-concurrency",
      "helios-queue-max-inflight",
      "helios-dispatch-delay-ms",
    ]);
    expect(flags.every((f) => f.source === "missing" && f.neutral)).toBe(true);
  });

  it("evaluates the default variant, DISABLED, targeting and caps like the operator", () => {
    const flags = flagsInEffect([
      flag("helios-dispatch-paused", bool("on")),
      flag("helios-job-kill-switch", bool("off", { targeting: { if: [{ "==": [{ var: "jobType" }, "x"] }, "on", "off"] } })),
      flag("helios-agent-max-concurrency", { state: "DISABLED", variants: { one: 1 }, defaultVariant: "one" }),
      flag("helios-queue-max-inflight", { state: "ENABLED", variants: { ten: 10, unlimited: 1_000_000 }, defaultVariant: "ten" }),
    ]);
    const byKey = new Map(flags.map((f) => [f.key, f]));
    expect(byKey.get("helios-dispatch-paused")).toMatchObject({ value: true, neutral: false, source: "default", variant: "on", targeted: false });
    expect(byKey.get("helios-job-kill-switch")).toMatchObject({ value: false, neutral: true, targeted: true });
    expect(byKey.get("helios-agent-max-concurrency")).toMatchObject({ value: 1_000_000, source: "disabled", neutral: true });
    expect(byKey.get("helios-queue-max-inflight")).toMatchObject({ value: 10, neutral: false, variant: "ten" });
  });

  it("keeps serving the last valid definition of an invalid flag, and is neutral for one never valid", () => {
    const lastValid = { generation: 1, spec: bool("on") };
    const invalid = { state: "ENABLED" as const, variants: { on: true, off: false }, defaultVariant: "off", targeting: { nope: [1] } };
    const stale = flagsInEffect([flag("helios-dispatch-paused", invalid, { lastValid }, 2)])[0];
    expect(stale).toMatchObject({ value: true, source: "default" });
    expect(stale?.message).toMatch(/Invalid targeting configuration/);
    const never = flagsInEffect([flag("helios-dispatch-paused", invalid, undefined, 2)])[0];
    expect(never).toMatchObject({ value: false, source: "invalid", neutral: true });
  });
});

describe("formatStatus", () => {
  it("leads with the dispatch state and prints queues, agents and flags", () => {
    const summary = statusSummary({
      operatorNamespace: "helios-system",
      jobs: [job("p", { phase: "Pending", queuedAt: at(0) }, { priority: "critical" })],
      agents: [agent("a")],
      flags: [flag("helios-dispatch-paused", { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" })],
      nowMs: now,
    });
    expect(summary.dispatchPaused).toBe(true);
    const text = formatStatus(summary, { namespaces: true });
    expect(text).toMatch(/^Dispatch: PAUSED/);
    expect(text).toMatch(/NAMESPACE\s+QUEUE\s+PENDING\s+CRITICAL\s+HIGH\s+NORMAL\s+LOW\s+BLOCKED\s+ASSIGNED\s+RUNNING\s+OLDEST-WAIT/);
    expect(text).toMatch(/team-a\s+default\s+1\s+1\s+0\s+0\s+0\s+0\s+0\s+0\s+60m/);
    expect(text).toMatch(/team-a\s+1\s+0\s+0\s+0\s+1\s+0\s+2/);
    expect(text).toMatch(/helios-dispatch-paused\s+true\s+default variant \(on\)/);
    expect(text).toMatch(/helios-queue-max-inflight\s+no cap\s+no FeatureFlag: neutral/);
  });

  it("shows a cap or delay the operator does not apply as served as what it applies, by the operator's rule", () => {
    const served = (key: string, value: number) => flag(key, { state: "ENABLED", variants: { v: value }, defaultVariant: "v" });
    const summary = statusSummary({
      operatorNamespace: "helios-system",
      jobs: [],
      agents: [],
      flags: [served("helios-queue-max-inflight", -5), served("helios-agent-max-concurrency", 2.7), served("helios-dispatch-delay-ms", -100)],
      nowMs: now,
    });
    const byKey = new Map(summary.flags?.map((f) => [f.key, f]));
    expect(byKey.get("helios-queue-max-inflight")).toMatchObject({ value: -5, neutral: true, applied: "no cap (-5 is not a cap)" });
    expect(byKey.get("helios-agent-max-concurrency")).toMatchObject({ value: 2.7, neutral: false, applied: "2 (served 2.7)" });
    expect(byKey.get("helios-dispatch-delay-ms")).toMatchObject({ value: -100, neutral: true, applied: "0 (-100 is not a delay)" });
    // The operator's evaluation agrees with what status shows.
    expect(capOfFlagValue(-5)).toBeUndefined();
    expect(capOfFlagValue(2.7)).toBe(2);
    expect(delayOfFlagValue(-100)).toBe(0);
    const text = formatStatus(summary, { namespaces: false });
    expect(text).toMatch(/helios-queue-max-inflight\s+no cap \(-5 is not a cap\)/);
    expect(text).toMatch(/helios-agent-max-concurrency\s+2 \(served 2.7\)/);
  });

  it("says why flags are missing when they could not be read", () => {
    const summary = statusSummary({ operatorNamespace: "ops", jobs: [], agents: [], flags: { error: "RBAC denied" }, nowMs: now });
    expect(summary.flags).toBeUndefined();
    expect(formatStatus(summary, { namespaces: false })).toContain("Cannot read them: RBAC denied");
  });
});
