// helios_* gauge values computed from cached objects, and the job transitions the observer reports.
import { describe, expect, it } from "vitest";
import { agentGauges, jobGauges, jobTransition, lastOfflineGauges } from "../../../../src/controllers/metrics/index.js";
import { activeJob, agent, iso, job, SECOND, T0 } from "../job-recovery/support.js";

describe("jobGauges", () => {
  it("counts jobs by phase, Pending depth by priority, and the oldest eligible wait per queue", () => {
    const jobs = [
      job({ name: "new", created: T0 - 30 * SECOND }),
      job({ name: "old", created: T0 - 90 * SECOND, spec: { priority: "high" } }),
      job({ name: "later", created: T0 - 300 * SECOND, spec: { notBefore: iso(T0 + 60 * SECOND) } }),
      job({ name: "batch", created: T0 - 10 * SECOND, spec: { queue: "batch" } }),
      activeJob("Running", { name: "run" }),
      job({ name: "done", status: { phase: "Succeeded" } }),
    ];
    const g = jobGauges(jobs, T0);
    const byPhase = Object.fromEntries(g.jobs.map((s) => [`${s.labels.queue}/${s.labels.phase}`, s.value]));
    expect(byPhase).toEqual({ "default/Pending": 3, "batch/Pending": 1, "default/Running": 1, "default/Succeeded": 1 });
    const depth = Object.fromEntries(g.queueDepth.map((s) => [`${s.labels.queue}/${s.labels.priority}`, s.value]));
    expect(depth).toEqual({ "default/normal": 2, "default/high": 1, "batch/normal": 1 });
    const oldest = Object.fromEntries(g.queueOldest.map((s) => [s.labels.queue, s.value]));
    // "later" waited longest since creation but is not eligible yet: it does not count.
    expect(oldest).toEqual({ default: 90, batch: 10 });
  });
});

describe("agentGauges", () => {
  it("counts agents by namespace and phase; unjudged agents are Unknown", () => {
    const unjudged = agent({ name: "c" });
    delete unjudged.status;
    const samples = agentGauges([agent({ name: "a" }), agent({ name: "b", phase: "Offline" }), agent({ name: "d" }), unjudged]);
    expect(Object.fromEntries(samples.map((s) => [s.labels.phase, s.value]))).toEqual({ Ready: 2, Offline: 1, Unknown: 1 });
  });
});

describe("lastOfflineGauges", () => {
  it("gives each namespace the time its most recently Offline agent went Offline, and nothing without one", () => {
    const offline = (name: string, namespace: string, since: number | undefined) => {
      const a = agent({ name, namespace, phase: "Offline" });
      return since === undefined ? a : { ...a, status: { ...a.status, lastPhaseTransitionTime: iso(since) } };
    };
    const samples = lastOfflineGauges([
      offline("old", "team-a", T0 - 86_400 * SECOND),
      offline("new", "team-a", T0 - 60 * SECOND),
      offline("b", "team-b", T0),
      offline("unstamped", "team-c", undefined),
      { ...agent({ name: "back", namespace: "team-d" }), status: { phase: "Ready", lastPhaseTransitionTime: iso(T0) } },
    ]);
    expect(Object.fromEntries(samples.map((s) => [s.labels.namespace, s.value]))).toEqual({ "team-a": (T0 - 60 * SECOND) / 1000, "team-b": T0 / 1000 });
  });
});

describe("jobTransition", () => {
  it("reports a start, and a finish with its run time", () => {
    const assigned = activeJob("Assigned");
    const running = activeJob("Running", { startedAt: T0 + SECOND });
    expect(jobTransition(assigned, running)).toEqual({ started: true });
    const done = { ...running, status: { ...running.status, phase: "Succeeded" as const, finishedAt: iso(T0 + 11 * SECOND) } };
    expect(jobTransition(running, done)).toEqual({ started: false, finished: "Succeeded", runSeconds: 10 });
  });

  it("ignores updates that do not change the phase, and changes between terminal phases", () => {
    const running = activeJob("Running");
    expect(jobTransition(running, running)).toBeUndefined();
    const failed = job({ status: { phase: "Failed" } });
    expect(jobTransition(failed, { ...failed, status: { phase: "Succeeded" } })).toBeUndefined();
  });
});
