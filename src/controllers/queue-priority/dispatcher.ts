// The dispatcher (queue-priority): coalesced scheduling cycles over the caches, then Pending → Assigned
// writes, and the moves of a lost agent's jobs (Assigned/Running on A → Assigned on B in one write).
//
// Flow: every job change that can open an opportunity (jobEventMattersToDispatch), agent change or
// flag change queues the single key `dispatch`; the work queue's dedupe folds a burst of changes
// into one cycle, and changes during a cycle into one more after it. A
// cycle reads the caches, asks job recovery's rule (decideRecovery) about the active jobs of lost
// (Offline or deleted) agents and plans each one it requeues as the Pending job the requeue makes,
// builds a SchedulingSnapshot, calls planDispatch, and submits the assignments, each carrying the
// resourceVersion the plan read (a moved job's is its requeue and assignment in one write; one that
// no agent takes gets the requeue alone), and then the conditions of jobs whose reason for waiting
// changed, to a pool of write slots shared by all cycles. It returns once
// its assignments have started, not finished: a job that arrives meanwhile is planned by the next
// cycle while the previous one's writes are still in flight (pipelining), and assignments overtake
// queued condition writes. It returns the next time-based wake-up.
//
// Guarantees: exactly one assignment per attempt. Every assignment is a PUT of /status with the
// cached resourceVersion, so of two writers (two replicas, or this cycle and a stale cache) only
// one succeeds; the other gets 409 and decides again on the newer object its informer delivers.
// A job enters the in-flight overlay when its write is planned, so later cycles neither plan it
// again nor give its slot away until the write failed or the cache shows it.
//
// Errors: a write that fails is not resent before 1 s, or before its Retry-After on a 429 (the job
// stays hidden meanwhile; the others go on). A 429 is never waited out inside the transport, so no
// cycle and no write slot blocks on a throttled apiserver. A new cycle is queued to decide again.
// An assignment that failed without a definite answer (a 5xx, or an answer lost that the status
// writer's GET could not settle) may have landed: it is audited and measured once the cache shows
// its attempt record, at once or on a later job event (`observe`), for up to 10 minutes.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { isTerminalJobPhase, type Agent, type Job, type JobStatus } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { ControlFlags } from "../../api/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import { objectKey, type WriteOutcome } from "../../runtime/client/index.js";
import type { EventRecorder } from "../../runtime/events/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import { awaitChange, requeueAfter, type ReconcileContext, type Reconciler, type Request, type Result } from "../../runtime/reconcile/index.js";
import type { StatusWriter } from "../../runtime/status/index.js";
import { planDispatch, type Assignment, type Unplaced } from "../../scheduling/index.js";
import { announceRecovery, decideFromCaches, isAgentLossRequeue, type AgentLossRequeue, type RecoveryConfig, type RecoverySources } from "../job-recovery/index.js";
import { eligibleSinceOf, isActivePhase, isLiveJob, isLostAgent, JOB_INDEX, jobPhase, priorityOf, queuedAtOf, queueOf, type CachedJob, type JobMetrics } from "../shared/index.js";
import { WriteSlots, type Submitted } from "./bounded.js";
import { InFlightWrites } from "./in-flight.js";
import { buildSnapshot, schedulingFlags, type HeldSlot } from "./snapshot.js";
import { assignedStatus, unplacedStatus } from "./status.js";

export const QUEUE_PRIORITY_CONTROLLER = "queue-priority";
/** The one key every trigger queues: cycles are global, and the queue's dedupe coalesces them. */
export const DISPATCH_REQUEST: Request = { name: "dispatch" };

export interface DispatcherOptions {
  /** Status writes in flight at once, across cycles (default 32). */
  readonly writeConcurrency?: number;
  /** Assignments per cycle; the rest wait for the next cycle, which follows at once (default 256). */
  readonly maxAssignmentsPerCycle?: number;
  /** Condition writes per cycle, after the assignments (default 64). */
  readonly maxConditionWritesPerCycle?: number;
  /**
   * A job merely waiting its turn (no free capacity, queue cap, dispatch delay) is written as
   * Pending only after waiting this long, so a burst that drains quickly costs no extra write per
   * job (default 5 s). Blocked jobs and time waits (notBefore) are written at once.
   */
  readonly pendingConditionDelayMs?: number;
  /** With jobs still Pending, look again at least this often even without events (default 30 s). */
  readonly idleRecheckMs?: number;
}

export interface DispatcherDeps {
  readonly jobs: ReadonlyStore<CachedJob>;
  readonly agents: ReadonlyStore<Agent>;
  readonly statusWriter: Pick<StatusWriter<Job>, "updateStatus">;
  readonly flags: ControlFlags;
  readonly audit: AuditSink;
  readonly events: EventRecorder;
  readonly clock: Pick<Clock, "now">;
  /** Job recovery's deadlines: the rule that takes a job from a lost agent is job recovery's (decideRecovery). */
  readonly recovery: RecoveryConfig;
  /** Queues another cycle (the `dispatch` key): a write that did not land, after its cycle returned, needs a new decision. */
  readonly wake?: () => void;
  readonly metrics?: JobMetrics;
  readonly options?: DispatcherOptions;
}

/** How a dispatcher write ended: a WriteOutcome (`unknown`: it may have landed), or the cycle was aborted. */
type DispatchWrite = Exclude<WriteOutcome<Job>["outcome"], "unchanged"> | "aborted";

/** An assignment sent at `sentAt`; kept while its write failed without a definite answer, until an event shows whether it landed. */
interface SentAssignment {
  readonly job: Job;
  readonly agent: string;
  readonly effectivePriority: number;
  readonly status: JobStatus;
  readonly sentAt: number;
  /** Set when the same write took the job from a lost agent (`job` carries the requeue's status). */
  readonly requeue: AgentLossRequeue | undefined;
  readonly log: Logger;
}

/** A job taken from a lost agent: the cached job the write is based on, and job recovery's requeue of it. */
interface Move {
  readonly from: Job;
  readonly requeue: AgentLossRequeue;
}

/** How long an unsettled assignment waits for an event that shows it (an apiserver restart, a relist). */
const UNSETTLED_TTL_MS = 10 * 60_000;
/** Unsettled assignments kept per job: retries from one version exclude each other, the last few suffice. */
const MAX_UNSETTLED_PER_JOB = 4;
/** Without Retry-After, a failed write is not resent for this long. */
const WRITE_RETRY_MS = 1_000;

// Waiting one's turn: not worth a write per job in a burst, and not something anyone must fix.
const TURN_WAITS = new Set<Unplaced["reason"]>(["NoFreeCapacity", "QueueAtCapacity", "DispatchDelay"]);
// Blocked because an operator chose so: the flag itself is the notice, no Event per job.
const QUIET_BLOCKS = new Set<Unplaced["reason"]>(["DispatchPaused", "KillSwitch"]);

/** The queue-priority reconciler; the controller runs it with one worker (plans never overlap, writes do). */
export class Dispatcher implements Reconciler {
  readonly #deps: DispatcherDeps;
  readonly #inFlight = new InFlightWrites();
  /** Jobs a cycle chose to assign while a condition write of theirs was under way: its answer wakes the dispatcher. */
  readonly #awaitingWrite = new Set<string>();
  /** Assignments that may have landed though their write failed, by job key (each retry adds one). */
  readonly #unsettled = new Map<string, SentAssignment[]>();
  readonly #slots: WriteSlots;
  readonly #recovery: RecoverySources;
  readonly #maxAssignments: number;
  readonly #maxConditionWrites: number;
  readonly #pendingDelayMs: number;
  readonly #idleRecheckMs: number;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    const o = deps.options ?? {};
    this.#slots = new WriteSlots(o.writeConcurrency ?? 32);
    this.#recovery = { agents: deps.agents, flags: deps.flags, config: deps.recovery };
    this.#maxAssignments = Math.max(1, o.maxAssignmentsPerCycle ?? 256);
    this.#maxConditionWrites = Math.max(0, o.maxConditionWritesPerCycle ?? 64);
    this.#pendingDelayMs = Math.max(0, o.pendingConditionDelayMs ?? 5_000);
    this.#idleRecheckMs = Math.max(1, o.idleRecheckMs ?? 30_000);
  }

  /** Resolves once every write submitted so far has finished (tests; a stopping operator). */
  settled(): Promise<void> {
    return this.#slots.idle();
  }

  /**
   * A job event (every add and update of the job informer): an assignment whose write failed
   * without a definite answer is recorded once the job shows its attempt record.
   */
  observe(job: CachedJob): void {
    if (this.#unsettled.size === 0) return;
    const key = objectKey(job);
    const landed = this.#unsettled.get(key)?.find((u) => showsAssignment(job, u.status));
    if (landed === undefined) return;
    this.#unsettled.delete(key);
    this.#recordAssigned(landed);
  }

  async reconcile(_req: Request, ctx: ReconcileContext): Promise<Result> {
    const started = performance.now();
    const { jobs, agents, clock } = this.#deps;
    const now = clock.now();
    this.#inFlight.prune(jobs, now);
    this.#pruneUnsettled(now);

    const pending = new Map<string, Job>();
    const busy = new Set<string>();
    const plannable = (key: string, current: { readonly job: Job; readonly busy: boolean }): void => {
      if (current.job.metadata.deletionTimestamp !== undefined || current.job.spec.cancel === true) return;
      pending.set(key, current.job);
      if (current.busy) busy.add(key);
    };
    // Pending and active jobs are live (never settled): filtering only narrows the cached type.
    for (const cached of jobs.byIndex(JOB_INDEX.byPhase, "Pending").filter(isLiveJob)) {
      const key = objectKey(cached);
      const current = this.#inFlight.current(key, cached);
      if (current !== undefined) plannable(key, current);
    }
    const active = [...jobs.byIndex(JOB_INDEX.byPhase, "Assigned"), ...jobs.byIndex(JOB_INDEX.byPhase, "Running")].filter(isLiveJob);
    const { moving, ours } = this.#takeFromLostAgents(active, now, plannable);
    const plan = planDispatch(
      buildSnapshot({
        pending: [...pending.values()],
        // A job this dispatcher is moving off a lost agent holds no slot there; where it goes, its
        // held slot (write under way) or this plan counts it.
        active: ours.size === 0 ? active : active.filter((j) => !ours.has(objectKey(j))),
        held: this.#inFlight.heldSlots(jobs),
        agents: agents.list(),
        flags: schedulingFlags(this.#deps.flags),
        now,
        maxAssignments: this.#maxAssignments,
      }),
    );

    const assigned = plan.assignments.flatMap((a) => {
      const job = pending.get(a.jobKey);
      if (job === undefined) return [];
      if (busy.has(a.jobKey)) {
        // Its slot stays unused this cycle rather than going to a lower-ranked job; the condition
        // write's answer queues the next cycle, which assigns it on the version written.
        this.#awaitingWrite.add(a.jobKey);
        return [];
      }
      return [this.#submitAssignment(job, a, ctx, moving.get(a.jobKey))];
    });
    // A job taken from a lost agent that no agent takes now goes back to Pending, as its requeue says.
    const requeued = plan.unplaced.flatMap((u) => {
      const requeue = moving.get(u.jobKey);
      const job = pending.get(u.jobKey);
      return requeue === undefined || job === undefined || busy.has(u.jobKey) ? [] : [this.#submitRequeue(job, requeue, ctx)];
    });
    const { writes, wakeAt: turnWakeAt, overBudget } = this.#conditionWrites(
      moving.size === 0 ? plan.unplaced : plan.unplaced.filter((u) => !moving.has(u.jobKey)),
      pending,
      busy,
      now,
    );
    const conditioned = writes.map(({ job, unplaced }) => this.#submitCondition(job, unplaced, ctx));
    void this.#summarize([...assigned, ...requeued, ...conditioned], started, pending.size, plan.deferred.length, ctx.log);

    // Backpressure: return once this cycle's assignments are sent, so the next cycle plans while
    // they are in flight; with more work left over, also wait for the condition writes to start.
    const moreNow = plan.deferred.length > 0 || overBudget;
    await Promise.all((moreNow ? [...assigned, ...requeued, ...conditioned] : [...assigned, ...requeued]).map((w) => w.started));

    // What next: more work now (budget spent), or the earliest time-based wake-up.
    if (moreNow) return requeueAfter(1);
    const wakeAts = [
      plan.nextWakeAt,
      turnWakeAt,
      this.#inFlight.nextRetryAt(),
      // Jobs left Pending by this cycle (a planned job whose condition write is still under way
      // counts: its answer's wake is not the only way back).
      pending.size > assigned.length ? now + this.#idleRecheckMs : undefined,
    ].filter((t): t is number => t !== undefined);
    if (wakeAts.length === 0) return awaitChange();
    return requeueAfter(Math.max(1, Math.min(...wakeAts) - now));
  }

  /**
   * The active jobs whose agent is lost (deleted or Offline) and that job recovery's rule requeues
   * (not out of retries, no failure the agent reported first). Each is offered to `plannable` as the
   * Pending job its requeue makes (`moving`: planned on the requeued status, written in one write
   * with the assignment), or as the version this dispatcher wrote when the cache still lags. `ours`:
   * every active job this dispatcher is moving, planned now or with its write under way.
   */
  #takeFromLostAgents(
    active: readonly Job[],
    now: number,
    plannable: (key: string, current: { readonly job: Job; readonly busy: boolean }) => void,
  ): { moving: Map<string, Move>; ours: Set<string> } {
    const moving = new Map<string, Move>();
    const ours = new Set<string>();
    const { agents } = this.#deps;
    for (const cached of active) {
      const agentName = cached.status?.assignedAgent;
      if (agentName === undefined) continue;
      if (!isLostAgent(agents.getByName(cached.metadata.namespace, agentName))) continue;
      const key = objectKey(cached);
      const current = this.#inFlight.current(key, cached);
      if (current === undefined) {
        // Hidden: our move of it is under way, not yet cached, or failed and waiting to be retried.
        ours.add(key);
        continue;
      }
      if (current.job !== cached) {
        // Our requeue landed; the cache still shows the job on the lost agent.
        ours.add(key);
        plannable(key, current);
        continue;
      }
      const decision = decideFromCaches(cached, this.#recovery, now);
      if (!isAgentLossRequeue(decision)) continue;
      ours.add(key);
      moving.set(key, { from: cached, requeue: decision });
      plannable(key, { job: { ...cached, status: decision.status }, busy: current.busy });
    }
    return { moving, ours };
  }

  #submitAssignment(job: Job, a: Assignment, ctx: ReconcileContext, move: Move | undefined): Submitted<DispatchWrite> {
    const slot: HeldSlot = { namespace: job.metadata.namespace ?? "", agent: a.agentName, queue: queueOf(job) };
    const key = objectKey(job);
    // Planned on our own condition write's version, the cache may still show the older one.
    this.#inFlight.start(key, job.metadata.resourceVersion ?? "", slot, this.#deps.jobs.get(key)?.metadata.resourceVersion);
    return this.#slots.submit("urgent", () => this.#assign(job, a, ctx, move));
  }

  /** The requeue alone (Pending) of a job taken from a lost agent that no agent takes this cycle. */
  #submitRequeue(job: Job, { from, requeue }: Move, ctx: ReconcileContext): Submitted<DispatchWrite> {
    this.#inFlight.start(objectKey(from), from.metadata.resourceVersion ?? "");
    return this.#slots.submit("urgent", async () => {
      const outcome = await this.#write(from, requeue.status, ctx);
      if (outcome === "written") announceRecovery(this.#deps, job, requeue, QUEUE_PRIORITY_CONTROLLER, ctx.log);
      return outcome;
    });
  }

  #submitCondition(job: Job, unplaced: Unplaced, ctx: ReconcileContext): Submitted<DispatchWrite> {
    this.#inFlight.start(objectKey(job), job.metadata.resourceVersion ?? "");
    return this.#slots.submit("routine", () => this.#markUnplaced(job, unplaced, ctx));
  }

  /** Logs and measures a cycle once all its writes have finished (the cycle itself returned earlier). */
  async #summarize(writes: readonly Submitted<DispatchWrite>[], started: number, pending: number, deferred: number, log: Logger): Promise<void> {
    const outcomes = await Promise.all(writes.map((w) => w.done.catch((): DispatchWrite => "rejected")));
    const count = (o: DispatchWrite): number => outcomes.filter((x) => x === o).length;
    const errors = count("rejected") + count("unknown") + count("throttled");
    const summary = { pending, assigned: count("written"), conflicts: count("conflict"), throttled: count("throttled"), deferred, errors };
    const seconds = (performance.now() - started) / 1000;
    this.#deps.metrics?.dispatchCycle.observe({ result: errors > 0 ? "error" : "success" }, seconds);
    if (summary.assigned > 0 || summary.conflicts > 0 || errors > 0) log.debug({ ...summary, seconds }, "dispatch cycle");
  }

  /**
   * Assigns `job`; with `move`, `job` carries the requeue's status (the lost agent's attempt closed,
   * the retry counted) and the one write, over the cached job, both takes it from the lost agent and
   * assigns it.
   */
  async #assign(job: Job, a: Assignment, ctx: ReconcileContext, move: Move | undefined): Promise<DispatchWrite> {
    // Stamped when sent: a write that waited for a slot says when it really happened.
    const now = this.#deps.clock.now();
    const status = assignedStatus(job, a.agentName, now);
    const key = objectKey(job);
    const requeue = move?.requeue;
    const outcome = await this.#write(move?.from ?? job, status, ctx);
    if (outcome === "unknown") {
      this.#keepUnsettled(key, { job, agent: a.agentName, effectivePriority: a.effectivePriority, status, sentAt: now, requeue, log: ctx.log });
      return outcome;
    }
    if (outcome !== "written") return outcome;
    // Any earlier unsettled assignment of this job either never landed or was seen by `observe`.
    this.#unsettled.delete(key);
    this.#recordAssigned({ job, agent: a.agentName, effectivePriority: a.effectivePriority, status, sentAt: now, requeue, log: ctx.log });
    ctx.log.debug({ job: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid, attempt: status.attempt, agent: a.agentName }, "assigned");
    return "written";
  }

  /**
   * An assignment that may have landed: recorded now if the cache already shows it (the watch often
   * delivers a write before its answer), else when an event does (`observe`).
   */
  #keepUnsettled(key: string, unsettled: SentAssignment): void {
    const cached = this.#deps.jobs.get(key);
    if (cached !== undefined && showsAssignment(cached, unsettled.status)) {
      this.#recordAssigned(unsettled);
      return;
    }
    const list = this.#unsettled.get(key) ?? [];
    list.push(unsettled);
    if (list.length > MAX_UNSETTLED_PER_JOB) list.shift();
    this.#unsettled.set(key, list);
  }

  #pruneUnsettled(now: number): void {
    for (const [key, list] of this.#unsettled) {
      const fresh = list.filter((u) => now - u.sentAt <= UNSETTLED_TTL_MS);
      if (fresh.length === 0) this.#unsettled.delete(key);
      else if (fresh.length < list.length) this.#unsettled.set(key, fresh);
    }
  }

  /**
   * The audit entry and metrics of an assignment that landed; after those of the requeue it made
   * in the same write, if any, so the trail reads as two steps: taken from the lost agent, assigned.
   */
  #recordAssigned({ job, agent, effectivePriority, status, sentAt, requeue, log }: SentAssignment): void {
    if (requeue !== undefined) announceRecovery(this.#deps, job, requeue, QUEUE_PRIORITY_CONTROLLER, log);
    const namespace = job.metadata.namespace ?? "";
    const queue = queueOf(job);
    const metrics = this.#deps.metrics;
    if (metrics !== undefined) {
      const created = Date.parse(job.metadata.creationTimestamp ?? "");
      if (Number.isFinite(created)) metrics.scheduleLatency.observe({ namespace, queue, priority: priorityOf(job) }, Math.max(0, sentAt - created) / 1000);
      const since = eligibleSinceOf(job);
      if (since !== undefined) metrics.queueWait.observe({ namespace, queue }, Math.max(0, sentAt - since) / 1000);
      metrics.assigned.inc({ namespace, queue });
    }
    this.#deps.audit.record({
      namespace,
      action: "assigned",
      kind: "Job",
      name: job.metadata.name ?? "",
      ...(job.metadata.uid === undefined ? {} : { uid: job.metadata.uid }),
      attempt: status.attempt ?? 1,
      agent,
      reason: "Scheduled",
      message: `assigned to agent ${agent} at effective priority ${effectivePriority}`,
      actor: QUEUE_PRIORITY_CONTROLLER,
    });
  }

  /** Which unplaced jobs need their condition written now, within the budget, and when to look again. */
  #conditionWrites(
    unplaced: readonly Unplaced[],
    pending: ReadonlyMap<string, Job>,
    busy: ReadonlySet<string>,
    now: number,
  ): { writes: { job: Job; unplaced: Unplaced }[]; wakeAt: number | undefined; overBudget: boolean } {
    const writes: { job: Job; unplaced: Unplaced }[] = [];
    let wakeAt: number | undefined;
    let overBudget = false;
    for (const u of unplaced) {
      const job = pending.get(u.jobKey);
      if (job === undefined || busy.has(u.jobKey) || unplacedStatus(job, u, now) === undefined) continue;
      if (TURN_WAITS.has(u.reason)) {
        const writeAt = (eligibleSinceOf(job) ?? queuedAtOf(job) ?? now) + this.#pendingDelayMs;
        if (writeAt > now) {
          wakeAt = wakeAt === undefined ? writeAt : Math.min(wakeAt, writeAt);
          continue;
        }
      }
      if (writes.length >= this.#maxConditionWrites) {
        overBudget = true;
        break;
      }
      writes.push({ job, unplaced: u });
    }
    return { writes, wakeAt, overBudget };
  }

  async #markUnplaced(job: Job, unplaced: Unplaced, ctx: ReconcileContext): Promise<DispatchWrite> {
    const status = unplacedStatus(job, unplaced, this.#deps.clock.now());
    if (status === undefined) {
      this.#inFlight.drop(objectKey(job));
      return "conflict";
    }
    const outcome = await this.#write(job, status, ctx);
    if (outcome !== "written") return outcome;
    if (unplaced.blocked && !QUIET_BLOCKS.has(unplaced.reason)) {
      this.#deps.events.event(job, "Warning", unplaced.reason, "Schedule", unplaced.message);
    }
    return "written";
  }

  /** One status write and its in-flight bookkeeping; a write that did not land queues a new cycle. */
  async #write(job: Job, status: NonNullable<Job["status"]>, ctx: ReconcileContext): Promise<DispatchWrite> {
    const key = objectKey(job);
    const outcome = await this.#send(job, status, ctx);
    const awaited = this.#awaitingWrite.delete(key);
    switch (outcome.outcome) {
      case "written":
        this.#inFlight.written(key, this.#deps.clock.now(), outcome.object);
        if (awaited) this.#deps.wake?.();
        return "written";
      case "unchanged":
        // Nothing was written (the cache already shows this status): nothing to wait for.
        this.#inFlight.drop(key);
        if (awaited) this.#deps.wake?.();
        return "written";
      case "aborted":
        this.#inFlight.drop(key);
        return "aborted";
      case "conflict":
      case "gone":
        // The informer brings the newer object (or the delete); decide again on it.
        this.#inFlight.drop(key);
        break;
      case "throttled":
        // Like a work queue's key: this job comes back after Retry-After; the other writes go on.
        ctx.log.info({ job: job.metadata.name, namespace: job.metadata.namespace, retryAfterMs: outcome.retryAfterMs }, "apiserver throttled a dispatcher write (429): the job waits for its Retry-After");
        this.#inFlight.failed(key, this.#deps.clock.now() + outcome.retryAfterMs);
        break;
      case "rejected":
      case "unknown":
        this.#inFlight.failed(key, this.#deps.clock.now() + WRITE_RETRY_MS);
        break;
    }
    this.#deps.wake?.();
    return outcome.outcome;
  }

  async #send(job: Job, status: NonNullable<Job["status"]>, ctx: ReconcileContext): Promise<WriteOutcome<Job> | { readonly outcome: "aborted" }> {
    if (ctx.signal.aborted) return { outcome: "aborted" };
    const result = await this.#deps.statusWriter.updateStatus(job, status, { signal: ctx.signal, retryOn429: false });
    if (result.outcome !== "throttled" && result.outcome !== "rejected" && result.outcome !== "unknown") return result;
    if (ctx.signal.aborted) return { outcome: "aborted" };
    if (result.outcome !== "throttled") logWriteError(ctx.log, job, result.error);
    return result;
  }
}

/** Whether `job` carries the attempt record an assignment wrote (same attempt, agent and assignedAt). */
function showsAssignment(job: CachedJob, sent: JobStatus): boolean {
  const mine = sent.attempts?.find((r) => r.attempt === sent.attempt);
  const seen = job.status?.attempts?.find((r) => r.attempt === sent.attempt);
  return mine !== undefined && seen !== undefined && seen.agent === mine.agent && seen.assignedAt === mine.assignedAt;
}

function logWriteError(log: Logger, job: Job, err: unknown): void {
  log.warn({ err, job: job.metadata.name, namespace: job.metadata.namespace }, "dispatcher status write failed; will retry");
}

/**
 * Whether a job event can open a dispatch opportunity: a new or deleted job that is not terminal,
 * any change to a Pending job, a slot freed (an active job finished, was requeued or moved), or an
 * active job on a lost agent (`onLostAgent`: the dispatcher moves it; e.g. an assignment that landed
 * after its agent went Offline). Events that only take capacity or change nothing for placement
 * (Pending → Assigned, the agent's Assigned → Running ack, progress) do not wake the dispatcher: the
 * next cycle reads them from the cache anyway, and skipping them saves a cycle over every active job per event.
 */
export function jobEventMattersToDispatch(oldJob: CachedJob | undefined, newJob: CachedJob, onLostAgent: (job: CachedJob) => boolean): boolean {
  const phase = jobPhase(newJob);
  if (oldJob === undefined) return !isTerminalJobPhase(phase);
  if (phase === "Pending") return true;
  if (isActivePhase(phase) && onLostAgent(newJob)) return true;
  if (!isActivePhase(jobPhase(oldJob))) return false;
  return !isActivePhase(phase) || oldJob.status?.assignedAgent !== newJob.status?.assignedAgent;
}
