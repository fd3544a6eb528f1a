// The agent-health reconciler over in-memory stores with a recording status writer, events and audit.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Agent, AgentStatus, Job } from "../../../../src/api/index.js";
import type { AuditRecord } from "../../../../src/audit/sink.js";
import { AgentHealthReconciler, DEFAULT_AGENT_HEALTH_CONFIG } from "../../../../src/controllers/agent-health/index.js";
import { Store } from "../../../../src/runtime/cache/index.js";
import type { KubeObject, Lease } from "../../../../src/runtime/client/index.js";
import type { StatusUpdateResult } from "../../../../src/runtime/status/index.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");

function setup(outcome: "updated" | "conflict" = "updated", staleTimeoutMs = 90_000) {
  const agents = new Store<Agent>();
  const leases = new Store<Lease>();
  const now = { ms: T0 };
  const writes: AgentStatus[] = [];
  const events: string[] = [];
  const notes: string[] = [];
  const logLines: Record<string, unknown>[] = [];
  const audit: AuditRecord[] = [];
  const reconciler = new AgentHealthReconciler({
    agents,
    leases,
    jobsOfAgent: (): Job[] => [],
    statusWriter: {
      updateStatus: (agent: Agent, status: AgentStatus): Promise<StatusUpdateResult<Agent>> => {
        writes.push(status);
        if (outcome === "conflict") return Promise.resolve({ outcome: "conflict", error: new Error("409") as never });
        const next = { ...agent, status };
        agents.upsert(next);
        return Promise.resolve({ outcome: "updated", object: next });
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
    config: { ...DEFAULT_AGENT_HEALTH_CONFIG, staleTimeoutMs },
  });
  const log = pino({ level: "info" }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
  const ctx = { signal: new AbortController().signal, log, reconcileId: "r" };
  const reconcile = () => reconciler.reconcile({ namespace: "ns", name: "a1" }, ctx);
  const lease = (renewTime: string, leaseDurationSeconds?: number) =>
    leases.upsert({ metadata: { name: "a1", namespace: "ns" }, spec: { holderIdentity: "a1_x", renewTime, ...(leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds }) } });
  agents.upsert({ apiVersion: "helios.dev/v1alpha1", kind: "Agent", metadata: { name: "a1", namespace: "ns", uid: "u1", resourceVersion: "1" }, spec: { queues: ["default"], maxConcurrency: 1 } });
  return { agents, now, writes, events, notes, logLines, audit, reconcile, lease };
}

describe("AgentHealthReconciler", () => {
  it("announces Ready once, then stays quiet on heartbeats until the lease goes stale", async () => {
    const t = setup();
    t.lease("2030-01-01T00:00:00.000000Z");
    expect(await t.reconcile()).toEqual({ requeueAfter: 90_000 });
    expect(t.writes.map((s) => s.phase)).toEqual(["Ready"]);
    expect(t.events).toEqual(["Normal/AgentReady"]);
    expect(t.audit).toEqual([expect.objectContaining({ action: "agent-online", kind: "Agent", name: "a1", uid: "u1", actor: "agent-health" })]);

    t.now.ms += 10_000;
    t.lease("2030-01-01T00:00:10.000000Z");
    expect(await t.reconcile()).toEqual({ requeueAfter: 90_000 });
    expect(t.writes).toHaveLength(1);

    t.now.ms += 90_000;
    expect(await t.reconcile()).toEqual({});
    expect(t.writes.map((s) => s.phase)).toEqual(["Ready", "Offline"]);
    expect(t.events).toEqual(["Normal/AgentReady", "Warning/AgentOffline"]);
    expect(t.audit.map((r) => r.action)).toEqual(["agent-online", "agent-offline"]);
  });

  it("treats a conflict as a requeue, not an error, and announces nothing", async () => {
    const t = setup("conflict");
    t.lease("x");
    expect(await t.reconcile()).toEqual({ requeue: true });
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
    const t = setup("updated", 6_000);
    const raisedLines = () => t.logLines.filter((l) => l["reason"] === "StaleTimeoutRaised");
    t.lease("2030-01-01T00:00:00.000000Z", 40);
    // Judged by lease + one renew period (50 s), not by the 6 s flag: no Offline between renewals.
    expect(await t.reconcile()).toEqual({ requeueAfter: 50_000 });
    for (let i = 1; i <= 5; i++) {
      t.now.ms += 10_000;
      t.lease(`2030-01-01T00:00:${10 * i}.000000Z`, 40);
      expect(await t.reconcile()).toEqual({ requeueAfter: 50_000 });
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
    const t = setup("updated", 90_000);
    t.lease("2030-01-01T00:00:00.000000Z", 40);
    await t.reconcile();
    expect(t.events).toEqual(["Normal/AgentReady"]);
    expect(t.logLines.filter((l) => l["reason"] === "StaleTimeoutRaised")).toEqual([]);
  });
});
