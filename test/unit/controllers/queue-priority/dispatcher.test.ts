// The dispatcher's cycles over an in-memory store and a recording status writer: what it assigns,
// what it leaves Pending and why, the in-flight overlay, conflicts, flags and budgets.
import { describe, expect, it } from "vitest";
import { findCondition, type Agent, type Job, type JobStatus } from "../../../../src/api/index.js";
import type { AuditRecord } from "../../../../src/audit/sink.js";
import { JOB_INDEXERS } from "../../../../src/controllers/shared/index.js";
import { Dispatcher, DISPATCH_REQUEST, jobEventMattersToDispatch, type DispatcherOptions } from "../../../../src/controllers/queue-priority/index.js";
import { NEUTRAL_CONTROL_FLAGS, type ControlFlags } from "../../../../src/flags/control-flags.js";
import { Store } from "../../../../src/runtime/cache/index.js";
import { ConflictError } from "../../../../src/runtime/client/index.js";
import { silentLogger } from "../../../../src/runtime/log/index.js";
import type { ReconcileContext, Result } from "../../../../src/runtime/reconcile/index.js";
import type { StatusUpdateResult } from "../../../../src/runtime/status/index.js";
import { activeJob, agent, job, SECOND, T0 } from "../job-recovery/support.js";

/** Stands in for the apiserver's /status PUT: versions move, stale versions conflict. */
class RecordingWriter {
  readonly writes: { key: string; status: JobStatus }[] = [];
  readonly server = new Map<string, Job>();
  #rv = 1000;

  seed(jobs: readonly Job[]): void {
    for (const j of jobs) this.server.set(`${j.metadata.namespace}/${j.metadata.name}`, j);
  }

  updateStatus(obj: Job, status: JobStatus): Promise<StatusUpdateResult<Job>> {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const current = this.server.get(key);
    if (current === undefined) return Promise.resolve({ outcome: "notFound" });
    if (current.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      return Promise.resolve({ outcome: "conflict", error: new ConflictError({ message: "stale", status: 409 }) });
    }
    const next: Job = { ...current, metadata: { ...current.metadata, resourceVersion: String(this.#rv++) }, status };
    this.server.set(key, next);
    this.writes.push({ key, status });
    return Promise.resolve({ outcome: "updated", object: next });
  }
}

interface Harness {
  readonly jobs: Store<Job>;
  readonly agents: Store<Agent>;
  readonly writer: RecordingWriter;
  readonly audit: AuditRecord[];
  readonly events: string[];
  now: number;
  flags: ControlFlags;
  cycle(): Promise<Result>;
  /** The informer catching up: the cache gets the server's objects. */
  catchUp(): void;
}

function harness(jobs: readonly Job[], agents: readonly Agent[], options: DispatcherOptions = {}): Harness {
  const jobStore = new Store<Job>(JOB_INDEXERS);
  const agentStore = new Store<Agent>();
  for (const j of jobs) jobStore.upsert(j);
  for (const a of agents) agentStore.upsert(a);
  const writer = new RecordingWriter();
  writer.seed(jobs);
  const audit: AuditRecord[] = [];
  const events: string[] = [];
  const h: Harness = {
    jobs: jobStore,
    agents: agentStore,
    writer,
    audit,
    events,
    now: T0,
    flags: NEUTRAL_CONTROL_FLAGS,
    cycle: () => dispatcher.reconcile(DISPATCH_REQUEST, ctx),
    catchUp: () => {
      for (const j of writer.server.values()) jobStore.upsert(j);
    },
  };
  const dispatcher = new Dispatcher({
    jobs: jobStore,
    agents: agentStore,
    statusWriter: writer,
    flags: { ...NEUTRAL_CONTROL_FLAGS, dispatchPaused: () => h.flags.dispatchPaused(), killSwitch: (c) => h.flags.killSwitch(c) },
    audit: { record: (e) => audit.push(e) },
    events: { event: (_obj, type, reason) => events.push(`${type}/${reason}`) },
    clock: { now: () => h.now },
    options,
  });
  const ctx: ReconcileContext = { signal: new AbortController().signal, log: silentLogger(), reconcileId: "test" };
  return h;
}

const named = (name: string, extra: Parameters<typeof job>[0] = {}): Job => job({ name, ...extra });
const statusOfKey = (h: Harness, key: string): JobStatus | undefined => h.writer.server.get(key)?.status;

describe("Dispatcher", () => {
  it("assigns Pending jobs to a Ready agent up to its capacity, fenced by attempt", async () => {
    const h = harness([named("a"), named("b"), named("c")], [agent({ name: "w", maxConcurrency: 2 })]);
    await h.cycle();
    const assigned = h.writer.writes.filter((w) => w.status.phase === "Assigned");
    expect(assigned).toHaveLength(2);
    for (const { status } of assigned) {
      expect(status).toMatchObject({ attempt: 1, assignedAgent: "w", assignedAt: "2030-01-01T12:00:00Z", queuedAt: "2030-01-01T12:00:00Z" });
      expect(status.attempts).toEqual([{ attempt: 1, agent: "w", outcome: "", assignedAt: "2030-01-01T12:00:00Z" }]);
      expect(findCondition(status.conditions, "Scheduled")).toMatchObject({ status: "True", reason: "Assigned" });
    }
    expect(h.audit.map((e) => [e.action, e.agent, e.attempt])).toEqual([
      ["assigned", "w", 1],
      ["assigned", "w", 1],
    ]);
  });

  it("counts capacity from Assigned and Running jobs in the cache, not from Agent status", async () => {
    const busy = activeJob("Running", { name: "busy", agent: "w" });
    const h = harness([busy, named("waiting")], [{ ...agent({ name: "w" }), status: { phase: "Ready", runningJobs: 0 } }]);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(0);
  });

  it("does not re-plan its own unseen assignment, and holds the slot until the cache catches up", async () => {
    const h = harness([named("a"), named("b")], [agent({ name: "w", maxConcurrency: 1 })]);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
    // The cache still shows both Pending: a naive cycle would assign again (409) or give b the held slot.
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
    h.catchUp();
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1); // w is full with the cached Assigned job
  });

  it("treats a 409 as someone else's decision: no audit, and it decides again on the newer object", async () => {
    const stale = named("a");
    const h = harness([stale], [agent({ name: "w" })]);
    // Another writer moved the job on the server; our cache lags.
    h.writer.server.set("ns/a", { ...stale, metadata: { ...stale.metadata, resourceVersion: "999" }, status: { phase: "Cancelled" } });
    await h.cycle();
    expect(h.writer.writes).toHaveLength(0);
    expect(h.audit).toHaveLength(0);
    h.catchUp();
    await h.cycle();
    expect(h.writer.writes).toHaveLength(0);
  });

  it("writes why a job is Blocked once, and not again while the reason holds", async () => {
    const h = harness([named("gpu", { spec: { requiredCapabilities: ["gpu"] } })], [agent({ name: "w" })]);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
    const status = statusOfKey(h, "ns/gpu");
    expect(status?.phase).toBe("Pending");
    expect(status?.queuedAt).toBe("2030-01-01T12:00:00Z");
    expect(findCondition(status?.conditions, "Scheduled")).toMatchObject({ status: "False", reason: "NoCapableAgent" });
    expect(findCondition(status?.conditions, "Blocked")).toMatchObject({ status: "True", reason: "NoCapableAgent" });
    expect(h.events).toEqual(["Warning/NoCapableAgent"]);
    h.catchUp();
    h.now += 10 * SECOND;
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
  });

  it("leaves a job waiting for capacity unwritten during the grace period, then says so", async () => {
    const h = harness([activeJob("Running", { name: "busy", agent: "w" }), named("next")], [agent({ name: "w" })], { pendingConditionDelayMs: 5_000 });
    expect(await h.cycle()).toEqual({ requeueAfter: 5_000 });
    expect(h.writer.writes).toHaveLength(0);
    h.now += 5 * SECOND;
    await h.cycle();
    expect(h.writer.writes.map((w) => findCondition(w.status.conditions, "Scheduled")?.reason)).toEqual(["NoFreeCapacity"]);
    expect(findCondition(statusOfKey(h, "ns/next")?.conditions, "Blocked")).toBeUndefined();
  });

  it("clears Blocked when the job is finally assigned", async () => {
    const h = harness([named("a")], []);
    await h.cycle();
    h.catchUp();
    expect(findCondition(statusOfKey(h, "ns/a")?.conditions, "Blocked")?.status).toBe("True");
    h.agents.upsert(agent({ name: "w" }));
    await h.cycle();
    const status = statusOfKey(h, "ns/a");
    expect(status?.phase).toBe("Assigned");
    expect(findCondition(status?.conditions, "Blocked")).toBeUndefined();
  });

  it("assigns nothing while dispatch is paused, and says so", async () => {
    const h = harness([named("a")], [agent({ name: "w" })]);
    h.flags = { ...NEUTRAL_CONTROL_FLAGS, dispatchPaused: () => true };
    await h.cycle();
    expect(h.writer.writes.map((w) => [w.status.phase, findCondition(w.status.conditions, "Blocked")?.reason])).toEqual([["Pending", "DispatchPaused"]]);
    expect(h.events).toEqual([]);
  });

  it("skips cancelled jobs and jobs being deleted (job recovery owns them)", async () => {
    const deleting = named("gone");
    const h = harness(
      [named("c", { spec: { cancel: true } }), { ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: "2030-01-01T12:00:00Z" } }],
      [agent({ name: "w", maxConcurrency: 5 })],
    );
    await h.cycle();
    expect(h.writer.writes).toHaveLength(0);
  });

  it("respects the write budget and asks to run again at once", async () => {
    const h = harness(
      Array.from({ length: 5 }, (_, i) => named(`j${i}`)),
      [agent({ name: "w", maxConcurrency: 10 })],
      { maxAssignmentsPerCycle: 2 },
    );
    expect(await h.cycle()).toEqual({ requeueAfter: 1 });
    expect(h.writer.writes).toHaveLength(2);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(4);
  });

  it("wakes up when the next delayed job becomes eligible", async () => {
    const h = harness([named("later", { spec: { notBefore: "2030-01-01T12:00:30Z" } })], [agent({ name: "w" })]);
    const result = await h.cycle();
    expect(result.requeueAfter).toBe(30 * SECOND);
    h.catchUp();
    h.now += 30 * SECOND;
    await h.cycle();
    expect(statusOfKey(h, "ns/later")?.phase).toBe("Assigned");
  });

  it("assigns a retried job a new attempt number", async () => {
    const retried = named("r", {
      status: { phase: "Pending", attempt: 2, retries: 1, queuedAt: "2030-01-01T11:59:00Z", nextAttemptAt: "2030-01-01T11:59:30Z", attempts: [{ attempt: 2, agent: "old", outcome: "Failed" }] },
    });
    const h = harness([retried], [agent({ name: "w" })]);
    await h.cycle();
    const status = statusOfKey(h, "ns/r");
    expect(status).toMatchObject({ phase: "Assigned", attempt: 3, retries: 1, assignedAgent: "w" });
    expect(status?.nextAttemptAt).toBeUndefined();
    expect(status?.attempts?.map((a) => [a.attempt, a.agent, a.outcome])).toEqual([
      [2, "old", "Failed"],
      [3, "w", ""],
    ]);
  });
});

describe("half-open agents", () => {
  it("gives an agent whose breaker is half-open one job at a time", async () => {
    const halfOpen: Agent = {
      ...agent({ name: "w", maxConcurrency: 4 }),
      status: { phase: "Ready", conditions: [{ type: "Ready", status: "True", reason: "HalfOpen", message: "", lastTransitionTime: "2030-01-01T12:00:00Z" }] },
    };
    const h = harness([named("a"), named("b")], [halfOpen]);
    await h.cycle();
    expect(h.writer.writes.filter((w) => w.status.phase === "Assigned")).toHaveLength(1);
  });
});

describe("jobEventMattersToDispatch", () => {
  it("wakes the dispatcher for new work, freed slots and Pending changes, not for progress", () => {
    const running = activeJob("Running", { name: "r" });
    const progressed = { ...running, status: { ...running.status, progress: { percent: 50 } } };
    const done = { ...running, status: { ...running.status, phase: "Succeeded" as const } };
    expect(jobEventMattersToDispatch(undefined, named("new"))).toBe(true);
    expect(jobEventMattersToDispatch(running, progressed)).toBe(false);
    expect(jobEventMattersToDispatch(running, done)).toBe(true);
    expect(jobEventMattersToDispatch(undefined, done)).toBe(false);
    expect(jobEventMattersToDispatch(undefined, running)).toBe(true); // a deleted running job frees its slot
    expect(jobEventMattersToDispatch(named("p"), named("p", { spec: { cancel: true } }))).toBe(true);
  });
});
