// The Overview's pure aggregates: throughput and latency per minute over the last hour, Blocked jobs.
import { describe, expect, it } from "vitest";
import type { Job, JobStatus } from "../../../src/api/index.js";
import { assignmentLatencyByMinute, blockedJobs, overview, throughputByMinute } from "../../../src/dashboard/index.js";

const NOW = Date.parse("2026-12-07T12:30:30Z");
const iso = (ms: number): string => new Date(ms).toISOString();

function job(name: string, status: JobStatus | undefined, createdAt = NOW - 120_000, namespace = "a"): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace, creationTimestamp: iso(createdAt) },
    spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    ...(status === undefined ? {} : { status }),
  };
}

describe("throughputByMinute", () => {
  it("has 60 zero-filled minutes ending with the current one, oldest first", () => {
    const points = throughputByMinute([], NOW);
    expect(points).toHaveLength(60);
    expect(points.at(-1)?.minute).toBe(Date.parse("2026-12-07T12:30:00Z"));
    expect(points[0]?.minute).toBe(Date.parse("2026-12-07T11:31:00Z"));
    expect(points.every((p) => p.Succeeded + p.Failed + p.Expired + p.Cancelled === 0)).toBe(true);
  });

  it("counts finished jobs in the minute of finishedAt by outcome, ignoring unfinished and older ones", () => {
    const points = throughputByMinute(
      [
        job("s1", { phase: "Succeeded", finishedAt: "2026-12-07T12:30:05Z" }),
        job("s2", { phase: "Succeeded", finishedAt: "2026-12-07T12:30:29Z" }),
        job("f", { phase: "Failed", finishedAt: "2026-12-07T12:29:59Z" }),
        job("c", { phase: "Cancelled", finishedAt: "2026-12-07T12:00:00Z" }),
        job("old", { phase: "Succeeded", finishedAt: "2026-12-07T10:00:00Z" }),
        job("running", { phase: "Running" }),
      ],
      NOW,
    );
    expect(points.at(-1)).toMatchObject({ Succeeded: 2, Failed: 0 });
    expect(points.at(-2)).toMatchObject({ Failed: 1 });
    expect(points.reduce((n, p) => n + p.Cancelled, 0)).toBe(1);
    expect(points.reduce((n, p) => n + p.Succeeded, 0)).toBe(2);
  });
});

describe("assignmentLatencyByMinute", () => {
  it("measures creation to first assignment (the attempts history first), bucketed by assignment minute", () => {
    const created = Date.parse("2026-12-07T12:29:00Z");
    const points = assignmentLatencyByMinute(
      [
        job("a", { phase: "Running", assignedAt: "2026-12-07T12:30:02Z" }, Date.parse("2026-12-07T12:30:00Z")),
        job("b", { phase: "Running", assignedAt: "2026-12-07T12:30:20Z" }, Date.parse("2026-12-07T12:30:14Z")),
        // Reassigned later: its first assignment counts.
        job("c", { phase: "Running", assignedAt: "2026-12-07T12:30:25Z", attempts: [{ attempt: 1, agent: "w", outcome: "Requeued", assignedAt: "2026-12-07T12:29:10Z" }] }, created),
        job("pending", { phase: "Pending" }),
      ],
      NOW,
    );
    expect(points.at(-1)).toMatchObject({ count: 2, avgMs: 4_000, maxMs: 6_000 });
    expect(points.at(-2)).toMatchObject({ count: 1, avgMs: 10_000, maxMs: 10_000 });
  });
});

describe("blockedJobs", () => {
  it("lists unfinished jobs whose Blocked condition is True with the reason, oldest first", () => {
    const blocked = (reason: string) => ({
      phase: "Pending" as const,
      conditions: [{ type: "Blocked", status: "True" as const, reason, message: `why ${reason}`, lastTransitionTime: "2026-12-07T12:00:00Z" }],
    });
    const result = blockedJobs([
      job("newer", blocked("KillSwitch"), NOW - 1_000),
      job("older", blocked("NoMatchingAgent"), NOW - 5_000),
      job("free", { phase: "Pending", conditions: [{ type: "Blocked", status: "False", reason: "Placed", message: "", lastTransitionTime: "2026-12-07T12:00:00Z" }] }),
      job("done", { ...blocked("KillSwitch"), phase: "Cancelled" }),
    ]);
    expect(result).toEqual([
      { namespace: "a", name: "older", type: "echo", reason: "NoMatchingAgent", message: "why NoMatchingAgent" },
      { namespace: "a", name: "newer", type: "echo", reason: "KillSwitch", message: "why KillSwitch" },
    ]);
  });
});

describe("overview", () => {
  it("reports unreadable control flags as absent and passes the access problems through", () => {
    const o = overview({ scope: "namespace a", operatorNamespace: "helios-system", jobs: [job("p", undefined)], agents: [], controlFlags: undefined, problems: [{ resource: "featureflags", message: "RBAC denied" }], nowMs: NOW });
    expect(o.flags).toBeUndefined();
    expect(o.problems).toEqual([{ resource: "featureflags", message: "RBAC denied" }]);
    expect(o.queues).toEqual([expect.objectContaining({ namespace: "a", queue: "default", pending: 1 })]);
  });

  it("evaluates the control flags in effect when readable", () => {
    const paused = {
      apiVersion: "helios.dev/v1alpha1",
      kind: "FeatureFlag",
      metadata: { name: "helios-dispatch-paused", namespace: "helios-system" },
      spec: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
    } as const;
    const o = overview({ scope: "all namespaces", operatorNamespace: "helios-system", jobs: [], agents: [], controlFlags: [paused], problems: [], nowMs: NOW });
    expect(o.flags?.find((f) => f.key === "helios-dispatch-paused")?.value).toBe(true);
  });
});
