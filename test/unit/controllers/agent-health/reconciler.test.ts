// The agent-health reconciler over in-memory stores with a recording status writer, events and audit.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Agent, AgentStatus, Job } from "../../../../src/api/index.js";
import type { AuditRecord } from "../../../../src/audit/sink.js";
import { AgentHealthReconciler, DEFAULT_AGENT_HEALTH_CONFIG } from "../../../../src/controllers/agent-health/index.js";
import { Store } from "../../../../src/runtime/cache/index.js";
import { ConflictError, NotFoundError, type DeleteOptions, type KubeObject, type Lease, type ObjectRef, type WriteOutcome } from "../../../../src/runtime/client/index.js";
import { job } from "../job-recovery/support.js";
import { awaitChange, requeueAfter, retryWithBackoff } from "../../../../src/runtime/reconcile/index.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");

interface Options {
  readonly outcome?: "written" | "conflict";
  readonly staleTimeoutMs?: number;
  /** What the apiserver answers to a delete: nothing (deleted), or an error. */
  readonly deleteError?: Error;
  readonly gcAfterMs?: number;
}

function setup({ outcome = "written", staleTimeoutMs = 90_000, deleteError, gcAfterMs = DEFAULT_AGENT_HEALTH_CONFIG.gcAfterMs }: Options = {}) {
  const agents = new Store<Agent>();
  const leases = new Store<Lease>();
  const now = { ms: T0 };
  const writes: AgentStatus[] = [];
  const events: string[] = [];
  const notes: string[] = [];
  const logLines: Record<string, unknown>[] = [];
  const audit: AuditRecord[] = [];
  const deletes: { ref: ObjectRef; options: DeleteOptions }[] = [];
  const jobs: Job[] = [];
  const reconciler = new AgentHealthReconciler({
    agents,
    leases,
    jobsOfAgent: (): Job[] => jobs,
    deleter: {
      delete: (ref: ObjectRef, options: DeleteOptions): Promise<void> => {
        deletes.push({ ref, options });
        return deleteError === undefined ? Promise.resolve() : Promise.reject(deleteError);
      },
    },
    statusWriter: {
      updateStatus: (agent: Agent, status: AgentStatus): Promise<WriteOutcome<Agent>> => {
        writes.push(status);
        if (outcome === "conflict") return Promise.resolve({ outcome: "conflict", error: new Error("409") as never });
        const next = { ...agent, status };
        agents.upsert(next);
        return Promise.resolve({ outcome: "written", object: next });
      },
    },
    events: {
      event: (_o: KubeObject, type: string, reason: string, _action: string, note: string) => {
        events.push(`${type}/${reason}`);
        notes.push(note);
      },
    },
    audit: { record: (r) => void audit.push(r) },
    clock: { now: () => now.ms },
    config: { ...DEFAULT_AGENT_HEALTH_CONFIG, staleTimeoutMs, gcAfterMs },
  });
  const log = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const ctx = { signal: new AbortController().signal, log, reconcileId: "r" };
  const reconcile = () => reconciler.reconcile({ namespace: "ns", name: "a1" }, ctx);
  const lease = (renewTime: string, leaseDurationSeconds?: number) =>
    leases.upsert({ metadata: { name: "a1", namespace: "ns" }, spec: { holderIdentity: "a1_x", renewTime, ...(leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds }) } });
  agents.upsert({ apiVersion: "helios.dev/v1alpha1", kind: "Agent", metadata: { name: "a1", namespace: "ns", uid: "u1", resourceVersion: "1" }, spec: { queues: ["default"], maxConcurrency: 1 } });
  return { agents, now, writes, events, notes, logLines, audit, deletes, jobs, reconcile, lease };
}

describe("AgentHealthReconciler", () => {
  it("announces Ready once, then stays quiet on heartbeats until the lease goes stale", async () => {
    const t = setup();
    t.lease("2030-01-01T00:00:00.000000Z");
    expect(await t.reconcile()).toEqual(requeueAfter(90_000));
    expect(t.writes.map((s) => s.phase)).toEqual(["Ready"]);
    expect(t.events).toEqual(["Normal/AgentReady"]);
    expect(t.audit).toEqual([expect.objectContaining({ action: "agent-online", kind: "Agent", name: "a1", uid: "u1", actor: "agent-health" })]);

    t.now.ms += 10_000;
    t.lease("2030-01-01T00:00:10.000000Z");
    expect(await t.reconcile()).toEqual(requeueAfter(90_000));
    expect(t.writes).toHaveLength(1);

    t.now.ms += 90_000;
    expect(await t.reconcile()).toEqual(awaitChange());
    expect(t.writes.map((s) => s.phase)).toEqual(["Ready", "Offline"]);
    expect(t.events).toEqual(["Normal/AgentReady", "Warning/AgentOffline"]);
    expect(t.audit.map((r) => r.action)).toEqual(["agent-online", "agent-offline"]);
  });

  it("treats a conflict as a requeue, not an error, and announces nothing", async () => {
    const t = setup({ outcome: "conflict" });
    t.lease("x");
    expect(await t.reconcile()).toEqual(retryWithBackoff());
    expect(t.events).toEqual([]);
    expect(t.audit).toEqual([]);
  });

  it("audits a deleted agent once, and nothing for an agent it never saw", async () => {
    const t = setup();
    t.lease("x");
    await t.reconcile();
    t.agents.delete("ns/a1");
    await t.reconcile();
    await t.reconcile();
    expect(t.audit.map((r) => `${r.action}/${r.reason}`)).toEqual(["agent-online/AgentReady", "agent-offline/AgentDeleted"]);
  });

  it("says once per agent and lease duration, with a Warning Event and a log line, that the stale timeout was raised", async () => {
    const t = setup({ staleTimeoutMs: 6_000 });
    const raisedLines = () => t.logLines.filter((l) => l["reason"] === "StaleTimeoutRaised");
    t.lease("2030-01-01T00:00:00.000000Z", 40);
    // Judged by lease + one renew period (50 s), not by the 6 s flag: no Offline between renewals.
    expect(await t.reconcile()).toEqual(requeueAfter(50_000));
    for (let i = 1; i <= 5; i++) {
      t.now.ms += 10_000;
      t.lease(`2030-01-01T00:00:${10 * i}.000000Z`, 40);
      expect(await t.reconcile()).toEqual(requeueAfter(50_000));
    }
    expect(t.writes.map((s) => s.phase)).toEqual(["Ready"]);
    expect(t.events).toEqual(["Warning/StaleTimeoutRaised", "Normal/AgentReady"]);
    expect(t.notes[0]).toContain("--agent-stale-timeout 6s");
    expect(t.notes[0]).toContain("Offline after 50s");
    expect(raisedLines()).toEqual([expect.objectContaining({ level: 40, configuredMs: 6_000, effectiveMs: 50_000, leaseDurationSeconds: 40, why: t.notes[0] })]);

    // A new lease duration is a new raise; one the flag covers is none, and the next raise is said again.
    t.lease("2030-01-01T00:01:00.000000Z", 60);
    await t.reconcile();
    t.lease("2030-01-01T00:01:01.000000Z", 4);
    await t.reconcile();
    t.lease("2030-01-01T00:01:02.000000Z", 40);
    await t.reconcile();
    await t.reconcile();
    expect(t.events.filter((e) => e === "Warning/StaleTimeoutRaised")).toHaveLength(3);
    expect(raisedLines().map((l) => l["leaseDurationSeconds"])).toEqual([40, 60, 40]);
  });

  it("says nothing when the flag already covers the lease", async () => {
    const t = setup({ staleTimeoutMs: 90_000 });
    t.lease("2030-01-01T00:00:00.000000Z", 40);
    await t.reconcile();
    expect(t.events).toEqual(["Normal/AgentReady"]);
    expect(t.logLines.filter((l) => l["reason"] === "StaleTimeoutRaised")).toEqual([]);
  });
});

describe("AgentHealthReconciler: collecting agents Offline past --agent-gc-after", () => {
  const GC = 3_600_000;

  /** Ready, then Offline on staleness (T0 + 90 s); the watch event of that write reconciles again. */
  async function offline(t: ReturnType<typeof setup>) {
    t.lease("2030-01-01T00:00:00.000000Z");
    await t.reconcile();
    t.now.ms += 90_000;
    await t.reconcile();
    expect(t.writes.at(-1)).toMatchObject({ phase: "Offline", lastPhaseTransitionTime: "2030-01-01T00:01:30Z" });
  }

  it("waits gcAfter from the persisted phase change, then deletes with uid and resourceVersion and audits it once", async () => {
    const t = setup({ gcAfterMs: GC });
    await offline(t);
    expect(await t.reconcile()).toEqual(requeueAfter(GC));
    t.now.ms += GC - 1;
    expect(await t.reconcile()).toEqual(requeueAfter(1));
    expect(t.deletes).toEqual([]);
    t.now.ms += 1;
    expect(await t.reconcile()).toEqual(awaitChange());
    expect(t.deletes.map((d) => d.ref)).toEqual([{ namespace: "ns", name: "a1" }]);
    expect(t.deletes[0]?.options).toMatchObject({ uid: "u1", resourceVersion: "1", retryOn429: false });
    expect(t.audit.at(-1)).toMatchObject({ action: "agent-deleted", kind: "Agent", name: "a1", uid: "u1", agent: "a1", reason: "OfflineTooLong", actor: "agent-health" });
    expect(t.audit.at(-1)?.message).toBe("Offline since 2030-01-01T00:01:30Z, longer than --agent-gc-after (1h): the Agent is deleted, and its Lease with it");
    expect(t.events.at(-1)).toBe("Normal/AgentDeleted");
    // The delete's watch event: the agent is gone, and nothing more is said about it.
    t.agents.delete("ns/a1");
    await t.reconcile();
    expect(t.audit.map((r) => r.action)).toEqual(["agent-online", "agent-offline", "agent-deleted"]);
  });

  it("a new operator (nothing in memory) deletes at once an agent whose persisted Offline time is past the bound", async () => {
    const t = setup({ gcAfterMs: GC });
    const agent = t.agents.getByName("ns", "a1");
    if (agent === undefined) throw new Error("no agent");
    t.agents.upsert({ ...agent, status: { phase: "Offline", lastPhaseTransitionTime: "2029-12-31T22:59:59Z" } });
    expect(await t.reconcile()).toEqual(awaitChange());
    expect(t.writes).toEqual([]);
    expect(t.deletes).toHaveLength(1);
    expect(t.audit.map((r) => r.action)).toEqual(["agent-deleted"]);
  });

  it("keeps an agent whose jobs are still Assigned or Running until job recovery has moved them", async () => {
    const t = setup({ gcAfterMs: GC });
    await offline(t);
    t.jobs.push(job({ status: { phase: "Running", assignedAgent: "a1", attempt: 1 } }));
    t.now.ms += GC;
    expect(await t.reconcile()).toEqual(awaitChange());
    expect(t.deletes).toEqual([]);
    // Job recovery requeued it: the job's change reconciles the agent again.
    t.jobs.splice(0, 1, job({ status: { phase: "Pending", attempt: 1 } }));
    await t.reconcile();
    expect(t.deletes).toHaveLength(1);
  });

  it("leaves an agent owned by its Pod to Kubernetes' garbage collector, and keeps everything with gcAfter 0", async () => {
    for (const [gcAfterMs, owners] of [[GC, [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "pod-uid" }]], [0, []]] as const) {
      const t = setup({ gcAfterMs });
      const agent = t.agents.getByName("ns", "a1");
      if (agent === undefined) throw new Error("no agent");
      t.agents.upsert({ ...agent, metadata: { ...agent.metadata, ownerReferences: [...owners] } });
      await offline(t);
      t.now.ms += 10 * GC;
      expect(await t.reconcile()).toEqual(awaitChange());
      expect(t.deletes).toEqual([]);
    }
  });

  it("decides again when the agent changed since the read (409), and says nothing when it is already gone (404)", async () => {
    const conflict = setup({ gcAfterMs: GC, deleteError: new ConflictError({ message: "Precondition failed: UID in precondition", status: 409 }) });
    await offline(conflict);
    conflict.now.ms += GC;
    expect(await conflict.reconcile()).toEqual(retryWithBackoff());
    expect(conflict.audit.map((r) => r.action)).toEqual(["agent-online", "agent-offline"]);

    const gone = setup({ gcAfterMs: GC, deleteError: new NotFoundError({ message: "gone", status: 404 }) });
    await offline(gone);
    gone.now.ms += GC;
    expect(await gone.reconcile()).toEqual(awaitChange());
    gone.agents.delete("ns/a1");
    await gone.reconcile();
    // Someone else deleted it: noted as any deleted agent is, not as ours.
    expect(gone.audit.map((r) => `${r.action}/${r.reason}`)).toEqual(["agent-online/AgentReady", "agent-offline/AgentOffline", "agent-offline/AgentDeleted"]);
  });
});
