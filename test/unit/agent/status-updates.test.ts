// Unit tests of the Job status transitions an agent writes, and of the fence that guards them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS, type Job, type JobStatus } from "../../../src/api/index.js";
import { attemptFactStatus, holdsFence, runningStatus, succeededStatus, type Fence } from "../../../src/agent/index.js";

const NOW = new Date("2030-01-01T00:00:10Z");
const fence: Fence = { uid: "u1", agent: "a1", attempt: 2 };

function job(status: JobStatus): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name: "j", namespace: "ns", uid: "u1", resourceVersion: "7" },
    spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    status,
  };
}

const assigned: JobStatus = {
  phase: "Assigned",
  attempt: 2,
  assignedAgent: "a1",
  retries: 1,
  attempts: [
    { attempt: 1, agent: "a0", outcome: "Failed" },
    { attempt: 2, agent: "a1", outcome: "", assignedAt: "2030-01-01T00:00:00Z" },
  ],
};

describe("holdsFence", () => {
  it("holds only for this agent's current attempt, while Assigned or Running and not yet reported", () => {
    expect(holdsFence(job(assigned), fence)).toBe(true);
    expect(holdsFence(job({ ...assigned, phase: "Running" }), fence)).toBe(true);
    expect(holdsFence(job({ ...assigned, attempt: 3 }), fence)).toBe(false);
    expect(holdsFence(job({ ...assigned, assignedAgent: "a2" }), fence)).toBe(false);
    expect(holdsFence(job({ ...assigned, phase: "Pending" }), fence)).toBe(false);
    expect(holdsFence(job({ ...assigned, phase: "Succeeded" }), fence)).toBe(false);
    expect(holdsFence({ ...job(assigned), metadata: { name: "j", namespace: "ns", uid: "other" } }, fence)).toBe(false);
    const reported = { ...assigned, attempts: [{ attempt: 2, agent: "a1", outcome: "Failed" }] };
    expect(holdsFence(job(reported), fence)).toBe(false);
  });
});

describe("transitions", () => {
  it("acks: Running with startedAt on the job and the attempt record, progress defaulting to 0", () => {
    const next = runningStatus(job(assigned), fence, NOW, undefined);
    expect(next).toMatchObject({ phase: "Running", startedAt: "2030-01-01T00:00:10Z", progress: { percent: 0 } });
    expect(next.attempts?.[1]).toMatchObject({ attempt: 2, outcome: "", startedAt: "2030-01-01T00:00:10Z", assignedAt: "2030-01-01T00:00:00Z" });
    expect(next.attempts?.[0]).toEqual(assigned.attempts?.[0]);
  });

  it("succeeds with the result, Complete=True and the attempt record closed", () => {
    const next = succeededStatus(job({ ...assigned, phase: "Running", startedAt: "2030-01-01T00:00:01Z" }), fence, { ok: true }, NOW, { percent: 40 });
    expect(next).toMatchObject({ phase: "Succeeded", result: { ok: true }, finishedAt: "2030-01-01T00:00:10Z", progress: { percent: 100 } });
    expect(next.attempts?.[1]).toMatchObject({ outcome: "Succeeded", finishedAt: "2030-01-01T00:00:10Z", startedAt: "2030-01-01T00:00:01Z" });
    const quick = succeededStatus(job(assigned), fence, undefined, NOW, undefined);
    expect(quick.attempts?.[1]).toMatchObject({ startedAt: "2030-01-01T00:00:10Z" });
    expect(quick.startedAt).toBeUndefined();
    expect(next.conditions).toEqual([expect.objectContaining({ type: "Complete", status: "True", reason: "Succeeded" })]);
    expect(succeededStatus(job({ ...assigned, result: { stale: 1 } }), fence, undefined, NOW, undefined).result).toBeUndefined();
  });

  it("reports a fact without touching the phase, truncating long messages", () => {
    const next = attemptFactStatus(job(assigned), fence, "Failed", { reason: "Kaboom", message: "x".repeat(5000) }, NOW, undefined);
    expect(next.phase).toBe("Assigned");
    expect(next.lastError?.reason).toBe("Kaboom");
    expect(next.lastError?.message.length).toBe(LIMITS.messageLength);
    expect(next.attempts?.[1]).toMatchObject({ outcome: "Failed", reason: "Kaboom", finishedAt: "2030-01-01T00:00:10Z" });
    expect(next.lastError?.terminal).toBeUndefined();
    const released = attemptFactStatus(job(assigned), fence, "Released", { reason: "AgentDraining", message: "bye" }, NOW, undefined);
    expect(released.attempts?.[1]?.outcome).toBe("Released");
    const terminal = attemptFactStatus(job(assigned), fence, "Failed", { reason: "NoHandler", message: "no handler", terminal: true }, NOW, undefined);
    expect(terminal.lastError).toEqual({ reason: "NoHandler", message: "no handler", attempt: 2, terminal: true });
  });

  it("adds a missing attempt record and keeps the history bounded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), (n) => {
        const history = Array.from({ length: n }, (_, i) => ({ attempt: i + 1, agent: "old", outcome: "Failed" }));
        const f: Fence = { ...fence, attempt: n + 1 };
        const next = attemptFactStatus(job({ ...assigned, attempt: n + 1, attempts: history }), f, "Failed", { reason: "R", message: "" }, NOW, undefined);
        expect(next.attempts?.length).toBe(Math.min(n + 1, LIMITS.attemptHistory));
        expect(next.attempts?.at(-1)).toMatchObject({ attempt: n + 1, agent: "a1", outcome: "Failed" });
      }),
    );
  });
});
