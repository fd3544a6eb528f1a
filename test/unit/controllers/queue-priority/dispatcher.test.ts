// The dispatcher's cycles over an in-memory store and a recording status writer: what it assigns,
// what it leaves Pending and why, the in-flight overlay, conflicts, flags and budgets.
import { describe, expect, it } from "vitest";
import { findCondition, type Agent, type Job, type JobStatus } from "../../../../src/api/index.js";
import type { AuditRecord } from "../../../../src/audit/sink.js";
import { JOB_INDEXERS } from "../../../../src/controllers/shared/index.js";
import { Dispatcher, DISPATCH_REQUEST, jobEventMattersToDispatch, type DispatcherOptions } from "../../../../src/controllers/queue-priority/index.js";
import { NEUTRAL_CONTROL_FLAGS, type ControlFlags } from "../../../../src/api/index.js";
import { Store } from "../../../../src/runtime/cache/index.js";
import { ConflictError, failedWrite, NetworkError, TooManyRequestsError, type WriteOutcome } from "../../../../src/runtime/client/index.js";
import { silentLogger } from "../../../../src/runtime/log/index.js";
import { jsonEqual } from "../../../../src/runtime/status/index.js";
import type { ReconcileContext, Result } from "../../../../src/runtime/reconcile/index.js";
import { activeJob, agent, job, SECOND, T0 } from "../job-recovery/support.js";
import { requeueAfter } from "../../../../src/runtime/reconcile/index.js";

/** Stands in for the apiserver's /status PUT: versions move, stale versions conflict. */
class RecordingWriter {
  readonly writes: { key: string; status: JobStatus }[] = [];
  /** Keys of writes refused with 409. */
  readonly conflicts: string[] = [];
  readonly server = new Map<string, Job>();
  /** While set, writes wait for it: the apiserver is slow. */
  gate: Promise<void> | undefined;
  /** While set, writes land at once but their answers wait for it (the watch may deliver them first). */
  answerGate: Promise<void> | undefined;
  /** Errors thrown by the next writes instead of writing (a 429, a network failure). */
  readonly failures: Error[] = [];
  /** The next writes land, but their answers are lost (a connection cut after the commit). */
  lostAnswers = 0;
  #rv = 1000;

  seed(jobs: readonly Job[]): void {
    for (const j of jobs) this.server.set(`${j.metadata.namespace}/${j.metadata.name}`, j);
  }

  async updateStatus(obj: Job, status: JobStatus, options: { retryOn429?: boolean } = {}): Promise<WriteOutcome<Job>> {
    if (options.retryOn429 !== false) throw new Error("the dispatcher must not wait out a 429 inside the transport");
    await this.gate;
    // Like the StatusWriter: a status equal to the object's own is not sent.
    if (jsonEqual(obj.status, status)) return { outcome: "unchanged" };
    const failure = this.failures.shift();
    if (failure !== undefined) return failedWrite(failure);
    const result = this.#apply(obj, status);
    await this.answerGate;
    if (this.lostAnswers > 0) {
      this.lostAnswers--;
      return { outcome: "unknown", error: new NetworkError({ message: "connection reset after the write" }) };
    }
    return result;
  }

  #apply(obj: Job, status: JobStatus): Promise<WriteOutcome<Job>> {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const current = this.server.get(key);
    if (current === undefined) return Promise.resolve({ outcome: "gone" });
    if (current.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      this.conflicts.push(key);
      return Promise.resolve({ outcome: "conflict", error: new ConflictError({ message: "stale", status: 409 }) });
    }
    const next: Job = { ...current, metadata: { ...current.metadata, resourceVersion: String(this.#rv++) }, status };
    this.server.set(key, next);
    this.writes.push({ key, status });
    return Promise.resolve({ outcome: "written", object: next });
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
  /** Cycles the dispatcher asked for because a write did not land. */
  wakes: number;
  /** One cycle and all its writes. */
  cycle(): Promise<Result>;
  /** One cycle, returning as the controller sees it: its writes may still be in flight. */
  plan(): Promise<Result>;
  settled(): Promise<void>;
  /** The informer catching up: the cache gets the server's objects, and the dispatcher sees each event. */
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
    wakes: 0,
    plan: () => dispatcher.reconcile(DISPATCH_REQUEST, ctx),
    settled: () => dispatcher.settled(),
    // A cycle returns once its writes started; the tests look after they finished.
    cycle: async () => {
      const result = await dispatcher.reconcile(DISPATCH_REQUEST, ctx);
      await dispatcher.settled();
      return result;
    },
    catchUp: () => {
      for (const j of writer.server.values()) {
        jobStore.upsert(j);
        dispatcher.observe(j);
      }
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
    recovery: RECOVERY_CONFIG,
    wake: () => h.wakes++,
    options,
  });
  const ctx: ReconcileContext = { signal: new AbortController().signal, log: silentLogger(), reconcileId: "test" };
  return h;
}

const RECOVERY_CONFIG = { ackTimeoutMs: 30 * SECOND, stuckThresholdMs: 300 * SECOND, maxQueueTimeMs: 3_600 * SECOND, finishedJobTtlMs: 0 };

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

  it("plans a job whose condition write landed on the version written, before the cache shows it (no priority inversion)", async () => {
    const h = harness([named("low", { spec: { priority: "low" } }), named("urgent", { spec: { priority: "critical" } })], []);
    await h.cycle(); // no agent: both get a Blocked condition; the watch has not delivered those versions yet
    expect(h.writer.writes.map((w) => w.key).sort()).toEqual(["ns/low", "ns/urgent"]);
    h.agents.upsert(agent({ name: "w", maxConcurrency: 1 }));
    await h.cycle();
    const assigned = h.writer.writes.filter((w) => w.status.phase === "Assigned");
    expect(assigned.map((w) => w.key)).toEqual(["ns/urgent"]); // not "low" for want of a hidden "urgent", and no 409
    await h.cycle(); // the cache still lags behind both writes: w stays full, urgent is not planned again
    expect(h.writer.writes.filter((w) => w.status.phase === "Assigned").map((w) => w.key)).toEqual(["ns/urgent"]);
    expect(h.writer.conflicts).toEqual([]);
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
    expect(await h.cycle()).toEqual(requeueAfter(5_000));
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
    expect(await h.cycle()).toEqual(requeueAfter(1));
    expect(h.writer.writes).toHaveLength(2);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(4);
  });

  it("wakes up when the next delayed job becomes eligible", async () => {
    const h = harness([named("later", { spec: { notBefore: "2030-01-01T12:00:30Z" } })], [agent({ name: "w" })]);
    const result = await h.cycle();
    expect(result).toEqual(requeueAfter(30 * SECOND));
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

describe("pipelined cycles", () => {
  /** A gate the test opens: writes wait on it like on a slow apiserver. */
  const gate = (): { promise: Promise<void>; open: () => void } => {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  };

  it("plans a job that arrived while the previous cycle's writes are in flight, without re-planning them or reusing their slots", async () => {
    const h = harness([named("a"), named("b")], [agent({ name: "w", maxConcurrency: 3 })]);
    const slow = gate();
    h.writer.gate = slow.promise;
    await h.plan(); // returns with both assignments sent, not answered
    expect(h.writer.writes).toHaveLength(0);
    const late = named("c");
    const other = named("d");
    h.jobs.upsert(late);
    h.jobs.upsert(other);
    h.writer.seed([late, other]);
    await h.plan();
    slow.open();
    await h.settled();
    // Three slots: a and b (held while in flight) and one of c/d; nothing assigned twice.
    const assigned = h.writer.writes.filter((w) => w.status.phase === "Assigned").map((w) => w.key);
    expect(assigned.slice(0, 2).sort()).toEqual(["ns/a", "ns/b"]);
    expect(assigned).toHaveLength(3);
    expect(new Set(assigned).size).toBe(3);
  });

  it("keeps a job's place in line while its condition write is in flight: the slot waits for it, not for a lower one", async () => {
    const h = harness([named("low", { spec: { priority: "low" } }), named("urgent", { spec: { priority: "critical" } })], []);
    const slow = gate();
    h.writer.gate = slow.promise;
    await h.plan(); // no agent: both Blocked condition writes are sent, not answered
    h.agents.upsert(agent({ name: "w", maxConcurrency: 1 }));
    await h.plan(); // urgent ranks first but cannot be written yet; low must not take its slot
    expect(h.wakes).toBe(0);
    slow.open();
    await h.settled();
    expect(h.wakes).toBe(1); // urgent's condition write answered: a cycle assigns it
    await h.cycle();
    const assigned = h.writer.writes.filter((w) => w.status.phase === "Assigned");
    expect(assigned.map((w) => w.key)).toEqual(["ns/urgent"]);
    expect(h.writer.writes.filter((w) => w.key === "ns/urgent").map((w) => w.status.phase)).toEqual(["Pending", "Assigned"]); // no 409 on the way
    // The cache still shows urgent's version from before its condition write: its slot stays held.
    await h.cycle();
    expect(h.writer.writes.filter((w) => w.status.phase === "Assigned").map((w) => w.key)).toEqual(["ns/urgent"]);
    expect(h.writer.conflicts).toEqual([]);
  });

  it("still looks again after the idle recheck when the only planned job waited for its condition write", async () => {
    const h = harness([named("urgent")], [], { idleRecheckMs: 30 * SECOND });
    const slow = gate();
    h.writer.gate = slow.promise;
    await h.plan(); // no agent: the Blocked condition write is sent, not answered
    h.agents.upsert(agent({ name: "w" }));
    // Planned but not sent: if its write's answer never wakes the dispatcher, the recheck does.
    expect(await h.plan()).toEqual(requeueAfter(30 * SECOND));
    slow.open();
    await h.settled();
  });

  it("counts an assignment the cache already shows once, not also as a held slot, while its answer is on the way", async () => {
    const h = harness([named("a")], [agent({ name: "w", maxConcurrency: 2 })]);
    const slow = gate();
    h.writer.answerGate = slow.promise;
    await h.plan(); // a's assignment landed; its answer has not arrived
    h.catchUp(); // the watch delivered a's Assigned version first
    const b = named("b");
    h.jobs.upsert(b);
    h.writer.seed([b]);
    await h.plan();
    slow.open();
    await h.settled();
    expect(h.writer.writes.filter((w) => w.status.phase === "Assigned").map((w) => w.key)).toEqual(["ns/a", "ns/b"]); // w had a free slot for b
  });

  it("sends assignments before queued condition writes", async () => {
    const blocked = Array.from({ length: 3 }, (_, i) => named(`gpu${i}`, { spec: { requiredCapabilities: ["gpu"] } }));
    const h = harness([...blocked, named("a")], [agent({ name: "w" })], { writeConcurrency: 1 });
    const slow = gate();
    h.writer.gate = slow.promise;
    await h.plan();
    const late = named("late");
    h.jobs.upsert(late);
    h.writer.seed([late]);
    h.catchUp(); // nothing written yet: the cache is unchanged
    h.agents.upsert(agent({ name: "w2" }));
    // This cycle returns once its assignment got the one write slot: only after the first write ends.
    const second = h.plan();
    slow.open();
    await second;
    await h.settled();
    expect(h.writer.writes.map((w) => `${w.key}:${w.status.phase}`)).toEqual(["ns/a:Assigned", "ns/late:Assigned", "ns/gpu0:Pending", "ns/gpu1:Pending", "ns/gpu2:Pending"]);
  });

  it("on a 429 holds that job back for Retry-After while the others go on, and asks for a new cycle", async () => {
    const h = harness([named("a"), named("b")], [agent({ name: "w", maxConcurrency: 2 })], { writeConcurrency: 1 });
    h.writer.failures.push(new TooManyRequestsError({ message: "slow down", status: 429, retryAfterSeconds: 3 }));
    await h.cycle();
    // The first write was rejected (not waited out in the client); the second went through.
    expect(h.writer.writes.map((w) => w.key)).toHaveLength(1);
    expect(h.wakes).toBe(1);
    h.catchUp();
    expect(await h.cycle()).toEqual(requeueAfter(3 * SECOND));
    expect(h.writer.writes).toHaveLength(1);
    h.now += 3 * SECOND;
    await h.cycle();
    expect(h.writer.writes.map((w) => w.key).sort()).toEqual(["ns/a", "ns/b"]);
  });

  it("audits an assignment whose answer was lost once an event shows it landed, and only then", async () => {
    const h = harness([named("a")], [agent({ name: "w" })]);
    h.writer.lostAnswers = 1;
    await h.cycle();
    expect(statusOfKey(h, "ns/a")?.phase).toBe("Assigned"); // landed on the server
    expect(h.audit).toEqual([]); // but the dispatcher does not know it yet
    h.now += SECOND;
    h.catchUp();
    expect(h.audit.map((e) => [e.action, e.name, e.agent, e.attempt])).toEqual([["assigned", "a", "w", 1]]);
    await h.cycle();
    h.catchUp();
    expect(h.audit).toHaveLength(1);
    expect(h.writer.writes.filter((w) => w.status.phase === "Assigned")).toHaveLength(1);
  });

  it("audits at once an assignment whose lost answer came after the cache already showed it", async () => {
    const h = harness([named("a")], [agent({ name: "w" })]);
    const slow = gate();
    h.writer.answerGate = slow.promise;
    h.writer.lostAnswers = 1;
    await h.plan();
    h.catchUp(); // the watch delivers the Assigned version before the answer, which is then lost
    expect(h.audit).toEqual([]);
    slow.open();
    await h.settled();
    expect(h.audit.map((e) => [e.action, e.agent, e.attempt])).toEqual([["assigned", "w", 1]]);
  });

  it("does not audit a failed assignment that never landed, nor twice when its retry lands", async () => {
    const h = harness([named("a")], [agent({ name: "w" })]);
    h.writer.failures.push(new NetworkError({ message: "connection refused" }));
    await h.cycle();
    h.now += SECOND;
    h.catchUp(); // still Pending: nothing landed
    expect(h.audit).toEqual([]);
    await h.cycle(); // the retry lands
    h.catchUp();
    expect(h.audit.map((e) => e.action)).toEqual(["assigned"]);
  });

  it("does not resend a failed write for a second, and wakes up when it may", async () => {
    const h = harness([named("a")], [agent({ name: "w" })]);
    h.writer.failures.push(new NetworkError({ message: "connection reset" }));
    await h.cycle();
    expect(h.wakes).toBe(1);
    expect(await h.cycle()).toEqual(requeueAfter(SECOND));
    expect(h.writer.writes).toHaveLength(0);
    h.now += SECOND;
    await h.cycle();
    expect(statusOfKey(h, "ns/a")?.phase).toBe("Assigned");
  });
});

describe("jobs of a lost agent", () => {
  const lostRunning = (name: string, extra: Parameters<typeof activeJob>[1] = {}): Job => activeJob("Running", { name, agent: "lost", ...extra });

  it("moves a job from an Offline agent to a Ready agent with room in one write: the lost attempt closed, the retry counted, attempt + 1", async () => {
    const h = harness([lostRunning("a")], [agent({ name: "lost", phase: "Offline" }), agent({ name: "w" })]);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
    const status = statusOfKey(h, "ns/a");
    expect(status).toMatchObject({ phase: "Assigned", attempt: 2, assignedAgent: "w", retries: 1, lastError: { reason: "AgentOffline", attempt: 1 } });
    expect(status?.startedAt).toBeUndefined();
    expect(status?.attempts).toEqual([
      { attempt: 1, agent: "lost", outcome: "Requeued", reason: "AgentOffline", assignedAt: "2030-01-01T12:00:00Z", finishedAt: "2030-01-01T12:00:00Z" },
      { attempt: 2, agent: "w", outcome: "", assignedAt: "2030-01-01T12:00:00Z" },
    ]);
    expect(findCondition(status?.conditions, "Scheduled")).toMatchObject({ status: "True", reason: "Assigned" });
    // The trail reads as two steps: the attempt taken from the lost agent, then the new one assigned.
    expect(h.audit.map((e) => [e.action, e.attempt, e.agent, e.reason, e.actor])).toEqual([
      ["retried", 1, "lost", "AgentOffline", "queue-priority"],
      ["assigned", 2, "w", "Scheduled", "queue-priority"],
    ]);
    expect(h.events).toEqual(["Warning/AgentOffline"]);
  });

  it("moves the job of a deleted agent the same way (AgentDeleted)", async () => {
    const h = harness([activeJob("Assigned", { name: "a", agent: "gone" })], [agent({ name: "w" })]);
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
    expect(statusOfKey(h, "ns/a")).toMatchObject({ phase: "Assigned", attempt: 2, assignedAgent: "w", lastError: { reason: "AgentDeleted" } });
    expect(statusOfKey(h, "ns/a")?.attempts?.[0]).toMatchObject({ agent: "gone", outcome: "Requeued", reason: "AgentDeleted" });
  });

  it("never overbooks: a lost agent's jobs compete for free slots with Pending jobs, the rest go back to Pending in one write each", async () => {
    const h = harness(
      [lostRunning("a"), lostRunning("b"), named("p", { created: T0 - 60 * SECOND })],
      [agent({ name: "lost", phase: "Offline", maxConcurrency: 2 }), agent({ name: "w", maxConcurrency: 2 })],
    );
    await h.cycle();
    expect(h.writer.writes).toHaveLength(3);
    const phases = ["ns/a", "ns/b", "ns/p"].map((k) => [k, statusOfKey(h, k)?.phase, statusOfKey(h, k)?.assignedAgent]);
    expect(phases.filter(([, phase]) => phase === "Assigned")).toHaveLength(2);
    const requeued = phases.filter(([, phase]) => phase === "Pending");
    expect(requeued).toHaveLength(1);
    const key = String((requeued[0] as unknown[])[0]);
    expect(statusOfKey(h, key)).toMatchObject({ phase: "Pending", attempt: 1, retries: 1 });
    expect(statusOfKey(h, key)?.assignedAgent).toBeUndefined();
    expect(findCondition(statusOfKey(h, key)?.conditions, "Scheduled")).toMatchObject({ status: "False", reason: "Requeued" });
    // Once the cache catches up, the requeued job waits its turn like any Pending job: no second write now.
    h.catchUp();
    await h.cycle();
    expect(h.writer.writes).toHaveLength(3);
  });

  it("falls back to Pending when no agent has room, and assigns the job once one has", async () => {
    const h = harness([lostRunning("a"), activeJob("Running", { name: "busy", agent: "w" })], [agent({ name: "lost", phase: "Offline" }), agent({ name: "w" })]);
    await h.cycle();
    expect(h.writer.writes.map((w) => [w.key, w.status.phase])).toEqual([["ns/a", "Pending"]]);
    expect(h.audit.map((e) => [e.action, e.attempt, e.agent, e.reason])).toEqual([["retried", 1, "lost", "AgentOffline"]]);
    // The cycle after the requeue landed, before the cache shows it: nothing is written twice.
    await h.cycle();
    expect(h.writer.writes).toHaveLength(1);
    h.catchUp();
    h.jobs.delete("ns/busy");
    await h.cycle();
    expect(statusOfKey(h, "ns/a")).toMatchObject({ phase: "Assigned", attempt: 2, assignedAgent: "w", retries: 1 });
    expect(h.audit.map((e) => e.action)).toEqual(["retried", "assigned"]);
  });

  it("falls back to Pending under the kill switch and while dispatch is paused", async () => {
    for (const flags of [{ ...NEUTRAL_CONTROL_FLAGS, killSwitch: () => true }, { ...NEUTRAL_CONTROL_FLAGS, dispatchPaused: () => true }]) {
      const h = harness([lostRunning("a")], [agent({ name: "lost", phase: "Offline" }), agent({ name: "w" })]);
      h.flags = flags;
      await h.cycle();
      expect(h.writer.writes.map((w) => w.status.phase)).toEqual(["Pending"]);
      expect(statusOfKey(h, "ns/a")).toMatchObject({ attempt: 1, retries: 1 });
    }
  });

  it("leaves to job recovery what its rule does not requeue: retries exhausted, a failure the agent reported, a job being cancelled", async () => {
    const exhausted = lostRunning("exhausted", { retries: 3 });
    const reported = lostRunning("reported", { status: { attempts: [{ attempt: 1, agent: "lost", outcome: "Failed", assignedAt: "2030-01-01T12:00:00Z" }] } });
    const cancelled = lostRunning("cancelled", { spec: { cancel: true } });
    const h = harness([exhausted, reported, cancelled], [agent({ name: "lost", phase: "Offline" }), agent({ name: "w", maxConcurrency: 3 })]);
    await h.cycle();
    expect(h.writer.writes).toEqual([]);
    expect(h.audit).toEqual([]);
  });

  it("a move whose answer was lost is audited once the cache shows it, requeue first", async () => {
    const h = harness([lostRunning("a")], [agent({ name: "lost", phase: "Offline" }), agent({ name: "w" })]);
    h.writer.lostAnswers = 1;
    await h.cycle();
    expect(h.audit).toEqual([]);
    h.catchUp();
    expect(h.audit.map((e) => [e.action, e.attempt])).toEqual([
      ["retried", 1],
      ["assigned", 2],
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
  const live = (): boolean => false;

  it("wakes the dispatcher for new work, freed slots and Pending changes, not for progress, assignments or acks", () => {
    const running = activeJob("Running", { name: "r" });
    const progressed = { ...running, status: { ...running.status, progress: { percent: 50 } } };
    const done = { ...running, status: { ...running.status, phase: "Succeeded" as const } };
    expect(jobEventMattersToDispatch(undefined, named("new"), live)).toBe(true);
    expect(jobEventMattersToDispatch(running, progressed, live)).toBe(false);
    expect(jobEventMattersToDispatch(running, done, live)).toBe(true);
    expect(jobEventMattersToDispatch(undefined, done, live)).toBe(false);
    expect(jobEventMattersToDispatch(undefined, running, live)).toBe(true); // a deleted running job frees its slot
    expect(jobEventMattersToDispatch(named("p"), named("p", { spec: { cancel: true } }), live)).toBe(true);
    // Taking capacity opens nothing: the assignment and the agent's ack do not cost a cycle each.
    const assigned = activeJob("Assigned", { name: "r" });
    expect(jobEventMattersToDispatch(named("r"), assigned, live)).toBe(false);
    expect(jobEventMattersToDispatch(assigned, running, live)).toBe(false);
    // A requeue frees the agent's slot and brings a Pending job.
    expect(jobEventMattersToDispatch(running, named("r", { status: { phase: "Pending", attempt: 1 } }), live)).toBe(true);
    expect(jobEventMattersToDispatch(running, { ...running, status: { ...running.status, assignedAgent: "other" } }, live)).toBe(true);
  });

  it("wakes it for any event of an active job on a lost agent: an assignment that landed after its agent went Offline is the dispatcher's to move", () => {
    const assigned = activeJob("Assigned", { name: "r" });
    const running = activeJob("Running", { name: "r" });
    const lost = (): boolean => true;
    expect(jobEventMattersToDispatch(named("r"), assigned, lost)).toBe(true);
    expect(jobEventMattersToDispatch(assigned, running, lost)).toBe(true);
    expect(jobEventMattersToDispatch(running, { ...running, status: { ...running.status, phase: "Succeeded" as const } }, lost)).toBe(true);
    expect(jobEventMattersToDispatch(undefined, { ...running, status: { ...running.status, phase: "Succeeded" as const } }, lost)).toBe(false);
  });
});
