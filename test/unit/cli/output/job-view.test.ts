// Wait and run times, reasons and the table of `helios jobs`, from Jobs in every phase.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatJobTable, jobReason, jobRunMs, jobView, jobWaitMs, sortJobViews } from "../../../../src/cli/output/index.js";
import { at, job, T0 } from "./fixtures.js";

const now = T0 + 600_000;

describe("jobWaitMs", () => {
  it("counts a Job the operator has not written yet from its creation until now", () => {
    expect(jobWaitMs(job("a", undefined, {}, { createdMs: 60_000 }), now)).toBe(540_000);
  });

  it("counts a Pending Job from queuedAt (its last entry into the queue) until now", () => {
    expect(jobWaitMs(job("a", { phase: "Pending", queuedAt: at(500_000), assignedAt: at(100_000) }), now)).toBe(100_000);
  });

  it("stops at the assignment of the current attempt", () => {
    const j = job("a", { phase: "Running", queuedAt: at(10_000), assignedAt: at(12_500), startedAt: at(13_000) });
    expect(jobWaitMs(j, now)).toBe(2_500);
  });

  it("ignores an assignment older than the requeue and waits until the end for never-assigned jobs", () => {
    const expired = job("a", { phase: "Expired", queuedAt: at(10_000), assignedAt: at(5_000), finishedAt: at(70_000) });
    expect(jobWaitMs(expired, now)).toBe(60_000);
  });

  it("is never negative, and for Pending is exactly now minus queuedAt", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (queued, later) => {
        const j = job("a", { phase: "Pending", queuedAt: at(queued) });
        expect(jobWaitMs(j, T0 + queued + later)).toBe(later);
        expect(jobWaitMs(job("b", { phase: "Pending", queuedAt: at(queued + later) }), T0 + queued)).toBe(0);
      }),
    );
  });
});

describe("jobRunMs", () => {
  it("has no run time before the agent started", () => {
    expect(jobRunMs(job("a", { phase: "Pending" }), now)).toBeUndefined();
    expect(jobRunMs(job("a", { phase: "Assigned", assignedAt: at(0) }), now)).toBeUndefined();
  });

  it("runs from startedAt until now while Running, until finishedAt once done", () => {
    expect(jobRunMs(job("a", { phase: "Running", startedAt: at(100_000) }), now)).toBe(500_000);
    expect(jobRunMs(job("a", { phase: "Failed", startedAt: at(100_000), finishedAt: at(160_000) }), now)).toBe(60_000);
  });

  it("uses assignedAt for a job the agent finished before acknowledging it", () => {
    expect(jobRunMs(job("a", { phase: "Succeeded", assignedAt: at(1_000), finishedAt: at(1_300) }), now)).toBe(300);
  });

  it("does not count an earlier attempt's start for a job cancelled while queued again", () => {
    const j = job("a", { phase: "Cancelled", startedAt: at(1_000), queuedAt: at(5_000), finishedAt: at(9_000) });
    expect(jobRunMs(j, now)).toBeUndefined();
  });
});

describe("jobReason", () => {
  const cond = (type: string, status: "True" | "False", reason: string) => ({ type, status, reason, message: `${reason} message`, lastTransitionTime: at(0) });

  it("prefers Blocked over Scheduled=False while Pending", () => {
    const j = job("a", { phase: "Pending", conditions: [cond("Scheduled", "False", "NoFreeCapacity"), cond("Blocked", "True", "DispatchPaused")] });
    expect(jobReason(j)).toEqual({ reason: "DispatchPaused", message: "DispatchPaused message" });
    expect(jobReason(job("b", { phase: "Pending", conditions: [cond("Scheduled", "False", "NoFreeCapacity")] })).reason).toBe("NoFreeCapacity");
  });

  it("takes the Failed condition for failed phases and the last error otherwise", () => {
    expect(jobReason(job("a", { phase: "Expired", conditions: [cond("Failed", "True", "Expired")] })).reason).toBe("Expired");
    expect(jobReason(job("a", { phase: "Running", lastError: { reason: "AgentOffline", message: "lost" } })).reason).toBe("AgentOffline");
    expect(jobReason(job("a", { phase: "Succeeded", lastError: { reason: "HandlerFailed", message: "x" } }))).toEqual({});
  });
});

describe("jobs table", () => {
  it("shows retries against the maximum, the agent and the reason, and adds columns with wide and -A", () => {
    const views = sortJobViews([
      jobView(job("late", { phase: "Pending", queuedAt: at(300_000), retries: 1, attempt: 1, lastError: { reason: "HandlerFailed", message: "boom" } }, {}, { createdMs: 200_000 }), now),
      jobView(job("early", { phase: "Running", assignedAgent: "a1", attempt: 2, queuedAt: at(0), assignedAt: at(5_000), startedAt: at(6_000), progress: { percent: 40 } }), now),
    ]);
    expect(views.map((v) => v.name)).toEqual(["early", "late"]);
    const table = formatJobTable(views, { namespaces: false, wide: false, nowMs: now });
    const [head, first, second] = table.trimEnd().split("\n");
    expect(head).toMatch(/^NAME\s+TYPE\s+PRIORITY\s+PHASE\s+AGENT\s+ATTEMPT\s+RETRIES\s+WAIT\s+RUN\s+REASON\s+AGE$/);
    expect(first).toMatch(/^early\s+echo\s+normal\s+Running 40%\s+a1\s+2\s+0\/3\s+5s\s+9m54s\s+10m$/);
    expect(second).toMatch(/^late\s+echo\s+normal\s+Pending\s+-\s+1\s+1\/3\s+5m\s+-\s+HandlerFailed\s+6m40s$/);
    const wide = formatJobTable(views, { namespaces: true, wide: true, nowMs: now });
    expect(wide.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME.*QUEUE.*NEXT-ATTEMPT.*MESSAGE$/);
    expect(wide).toContain("boom");
  });

  it("marks a cancel in progress", () => {
    const v = jobView(job("a", { phase: "Running" }, { cancel: true }), now);
    expect(formatJobTable([v], { namespaces: false, wide: false, nowMs: now })).toContain("Running (cancelling)");
  });
});
