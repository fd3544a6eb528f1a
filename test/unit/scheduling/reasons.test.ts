// Example-based tests: each reason a job can stay Pending, with its message, and the placement choice.
import { describe, expect, it } from "vitest";
import { planDispatch, type SchedulingFlags, type SchedulingSnapshot, type Unplaced } from "../../../src/scheduling/index.js";
import { agent, job, MINUTE, noFlags, NOW } from "./support.js";

type Overrides = Partial<Omit<SchedulingSnapshot, "flags">> & { flags?: Partial<SchedulingFlags> };

function plan(over: Overrides = {}) {
  const { flags, ...rest } = over;
  return planDispatch({ now: NOW, jobs: [job("j")], agents: [agent("a")], inFlight: [], ...rest, flags: { ...noFlags, ...flags } });
}

function only(unplaced: readonly Unplaced[]): Unplaced {
  expect(unplaced).toHaveLength(1);
  return unplaced[0] as Unplaced;
}

describe("unplaced reasons", () => {
  it("places a job on a matching Ready agent", () => {
    const p = plan();
    expect(p.assignments).toEqual([{ jobKey: "alpha/j", namespace: "alpha", agentName: "a", effectivePriority: 70 }]);
    expect(p.unplaced).toEqual([]);
  });

  it("DispatchPaused: nothing is assigned", () => {
    const u = only(plan({ flags: { dispatchPaused: true } }).unplaced);
    expect(u).toMatchObject({ reason: "DispatchPaused", blocked: true });
    expect(u.message).toContain("helios-dispatch-paused");
  });

  it("KillSwitch: blocked, naming the flag and the job type", () => {
    const p = plan({ flags: { killSwitch: (ctx) => ctx.jobType === "echo" && ctx.namespace === "alpha" } });
    const u = only(p.unplaced);
    expect(u).toMatchObject({ reason: "KillSwitch", blocked: true });
    expect(u.message).toContain("helios-job-kill-switch");
    expect(u.message).toContain('"echo"');
    expect(p.assignments).toEqual([]);
  });

  it("NotBefore: waits, and nextWakeAt is the notBefore time", () => {
    const at = NOW + 5 * MINUTE;
    const p = plan({ jobs: [job("j", { notBefore: at })] });
    expect(only(p.unplaced)).toMatchObject({ reason: "NotBefore", blocked: false, eligibleAt: at });
    expect(p.nextWakeAt).toBe(at);
  });

  it("BackoffWait: waits for nextAttemptAt", () => {
    const at = NOW + 2 * MINUTE;
    const p = plan({ jobs: [job("j", { nextAttemptAt: at, notBefore: NOW - MINUTE })] });
    expect(only(p.unplaced)).toMatchObject({ reason: "BackoffWait", eligibleAt: at });
    expect(p.nextWakeAt).toBe(at);
  });

  it("DispatchDelay: a job is eligible only dispatchDelayMs after it was queued", () => {
    const queuedAt = NOW - 10_000;
    const waiting = plan({ jobs: [job("j", { queuedAt })], flags: { dispatchDelayMs: 30_000 } });
    expect(only(waiting.unplaced)).toMatchObject({ reason: "DispatchDelay", eligibleAt: queuedAt + 30_000 });
    expect(waiting.nextWakeAt).toBe(queuedAt + 30_000);
    const due = plan({ jobs: [job("j", { queuedAt })], flags: { dispatchDelayMs: 10_000 } });
    expect(due.assignments).toHaveLength(1);
  });

  it("QueueAtCapacity: helios-queue-max-inflight counts jobs in flight and those placed this cycle", () => {
    const p = plan({
      jobs: [job("j1"), job("j2"), job("j3")],
      agents: [agent("a", { maxConcurrency: 10 })],
      inFlight: [{ namespace: "alpha", queue: "default", count: 1 }],
      flags: { queueMaxInflight: (queue, ns) => (queue === "default" && ns === "alpha" ? 2 : undefined) },
    });
    expect(p.assignments.map((a) => a.jobKey)).toEqual(["alpha/j1"]);
    expect(p.unplaced.map((u) => u.reason)).toEqual(["QueueAtCapacity", "QueueAtCapacity"]);
    expect(p.unplaced[0]?.message).toContain("helios-queue-max-inflight");
  });

  it("NoCapableAgent: names the missing capability", () => {
    const u = only(plan({ jobs: [job("j", { requiredCapabilities: ["gpu", "cpu"] })], agents: [agent("a", { capabilities: ["cpu"] })] }).unplaced);
    expect(u).toMatchObject({ reason: "NoCapableAgent", blocked: true });
    expect(u.message).toContain('capability "gpu"');
    expect(u.message).toContain("--capabilities gpu");
  });

  it("NoCapableAgent: no single agent has the whole combination", () => {
    const u = only(
      plan({
        jobs: [job("j", { requiredCapabilities: ["gpu", "cpu"] })],
        agents: [agent("a", { capabilities: ["cpu"] }), agent("b", { capabilities: ["gpu"] })],
      }).unplaced,
    );
    expect(u.reason).toBe("NoCapableAgent");
    expect(u.message).toContain('all of capabilities "cpu", "gpu"');
  });

  it("NoCapableAgent: agents of other namespaces do not count", () => {
    const u = only(plan({ agents: [agent("a", { namespace: "beta" })] }).unplaced);
    expect(u.reason).toBe("NoCapableAgent");
    expect(u.message).toContain('No agent is registered in namespace "alpha"');
  });

  it("NoAgentForQueue: capable agents serve other queues", () => {
    const u = only(plan({ jobs: [job("j", { queue: "batch" })] }).unplaced);
    expect(u).toMatchObject({ reason: "NoAgentForQueue", blocked: true });
    expect(u.message).toContain("--queues batch");
  });

  it("NoMatchingAgent: the selector excludes every capable agent", () => {
    const selector = { matchLabels: { zone: "b" }, matchExpressions: [{ key: "spot", operator: "DoesNotExist" as const }] };
    const u = only(plan({ jobs: [job("j", { agentSelector: selector })], agents: [agent("a", { labels: { zone: "a" } })] }).unplaced);
    expect(u).toMatchObject({ reason: "NoMatchingAgent", blocked: true });
    expect(u.message).toContain("zone=b,!spot");
  });

  it("NoReadyAgent: matching agents are Offline, draining or quarantined", () => {
    const u = only(
      plan({
        agents: [
          agent("a", { phase: "Offline" }),
          agent("b", { drain: true }),
          agent("c", { quarantinedUntil: NOW + MINUTE }),
          agent("d", { phase: "Quarantined" }),
        ],
      }).unplaced,
    );
    expect(u).toMatchObject({ reason: "NoReadyAgent", blocked: true });
    expect(u.message).toContain("All 4 matching agents are unavailable (1 Offline, 1 Quarantined, 1 draining, 1 quarantined)");
  });

  it("an expired quarantine does not block", () => {
    expect(plan({ agents: [agent("a", { quarantinedUntil: NOW - 1 })] }).assignments).toHaveLength(1);
  });

  it("NoFreeCapacity: every matching Ready agent is busy", () => {
    const p = plan({ jobs: [job("j1"), job("j2")], agents: [agent("a", { maxConcurrency: 2, running: 1 })] });
    expect(p.assignments.map((a) => a.jobKey)).toEqual(["alpha/j1"]);
    expect(only(p.unplaced)).toMatchObject({ reason: "NoFreeCapacity", blocked: false });
  });

  it("NoFreeCapacity: helios-agent-max-concurrency caps below spec.maxConcurrency", () => {
    const p = plan({
      jobs: [job("j1"), job("j2"), job("j3")],
      agents: [agent("a", { maxConcurrency: 5, running: 1 })],
      flags: { agentMaxConcurrency: (ctx) => (ctx.agent === "a" ? 2 : undefined) },
    });
    expect(p.assignments).toHaveLength(1);
    expect(p.unplaced.map((u) => u.reason)).toEqual(["NoFreeCapacity", "NoFreeCapacity"]);
  });
});

describe("placement choice", () => {
  it("spreads by least load (running/capacity), ties broken by name", () => {
    const p = plan({
      jobs: [job("j1", { queuedAt: NOW - 3 * MINUTE }), job("j2", { queuedAt: NOW - 2 * MINUTE }), job("j3", { queuedAt: NOW - MINUTE })],
      agents: [agent("busy", { maxConcurrency: 4, running: 2 }), agent("b", { maxConcurrency: 2 }), agent("a", { maxConcurrency: 2 })],
    });
    // j1: a and b tie at 0/2 → name picks a; j2: b (0/2) is least loaded; j3: a, b and busy all at
    // half load → fewer used beats busy (2), then name picks a.
    expect(p.assignments.map((a) => a.agentName)).toEqual(["a", "b", "a"]);
  });

  it("orders by effective priority: an old low job beats a fresh critical one", () => {
    const p = plan({
      jobs: [job("fresh", { priority: "critical", queuedAt: NOW }), job("old", { priority: "low", queuedAt: NOW - 40 * MINUTE })],
    });
    expect(p.assignments.map((a) => a.jobKey)).toEqual(["alpha/old"]);
    expect(p.unplaced.map((u) => u.jobKey)).toEqual(["alpha/fresh"]);
  });

  it("counts an agent listed twice in the snapshot once", () => {
    const p = plan({ jobs: [job("j1"), job("j2")], agents: [agent("a"), agent("a")] });
    expect(p.assignments).toHaveLength(1);
  });

  it("defers jobs past the cycle budget, in rank order", () => {
    const p = plan({
      jobs: [job("c", { queuedAt: NOW - MINUTE }), job("a", { queuedAt: NOW - 3 * MINUTE }), job("b", { queuedAt: NOW - 2 * MINUTE })],
      agents: [agent("x", { maxConcurrency: 9 })],
      maxAssignments: 1,
    });
    expect(p.assignments.map((a) => a.jobKey)).toEqual(["alpha/a"]);
    expect(p.deferred).toEqual(["alpha/b", "alpha/c"]);
  });
});
