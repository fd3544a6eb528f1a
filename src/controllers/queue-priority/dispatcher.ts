// The dispatcher (queue-priority): one coalesced scheduling cycle over the caches, then Pending → Assigned writes.
//
// Flow: every job, agent or flag change queues the single key `dispatch`; the work queue's dedupe
// folds a burst of changes into one cycle, and changes during a cycle into one more after it. A
// cycle reads the caches, builds a SchedulingSnapshot, calls planDispatch, writes assignments
// (bounded concurrency, each carrying the resourceVersion the plan read), then writes the
// conditions of jobs whose reason for waiting changed. It returns the next time-based wake-up.
//
// Guarantees: exactly one assignment per attempt. Every assignment is a PUT of /status with the
// cached resourceVersion, so of two writers (two replicas, or this cycle and a stale cache) only
// one succeeds; the other gets 409 and decides again on the newer object its informer delivers.
// Jobs written this cycle are hidden from the next cycles (and hold their agent's slot) until the
// cache shows the write, so a cycle never re-plans its own unseen assignment.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { isTerminalJobPhase, type Agent, type Job } from "../../api/index.js";
import type { AuditSink } from "../../audit/sink.js";
import type { ControlFlags } from "../../flags/control-flags.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import type { EventRecorder } from "../../runtime/events/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import type { ReconcileContext, Reconciler, Request, Result } from "../../runtime/reconcile/index.js";
import type { StatusWriter } from "../../runtime/status/index.js";
import { planDispatch, type Assignment, type Unplaced } from "../../scheduling/index.js";
import { eligibleSinceOf, JOB_INDEX, jobPhase, priorityOf, queuedAtOf, queueOf, type JobMetrics } from "../shared/index.js";
import { mapBounded } from "./bounded.js";
import { InFlightWrites } from "./in-flight.js";
import { buildSnapshot, schedulingFlags } from "./snapshot.js";
import { assignedStatus, unplacedStatus } from "./status.js";

export const QUEUE_PRIORITY_CONTROLLER = "queue-priority";
/** The one key every trigger queues: cycles are global, and the queue's dedupe coalesces them. */
export const DISPATCH_REQUEST: Request = { name: "dispatch" };

export interface DispatcherOptions {
  /** Status writes in flight at once (default 16). */
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
  readonly jobs: ReadonlyStore<Job>;
  readonly agents: ReadonlyStore<Agent>;
  readonly statusWriter: Pick<StatusWriter<Job>, "updateStatus">;
  readonly flags: ControlFlags;
  readonly audit: AuditSink;
  readonly events: EventRecorder;
  readonly clock: Pick<Clock, "now">;
  readonly metrics?: JobMetrics;
  readonly options?: DispatcherOptions;
}

type WriteOutcome = "written" | "conflict" | "gone" | "error";

// Waiting one's turn: not worth a write per job in a burst, and not something anyone must fix.
const TURN_WAITS = new Set<Unplaced["reason"]>(["NoFreeCapacity", "QueueAtCapacity", "DispatchDelay"]);
// Blocked because an operator chose so: the flag itself is the notice, no Event per job.
const QUIET_BLOCKS = new Set<Unplaced["reason"]>(["DispatchPaused", "KillSwitch"]);

/** The queue-priority reconciler; the controller runs it with one worker (cycles never overlap). */
export class Dispatcher implements Reconciler {
  readonly #deps: DispatcherDeps;
  readonly #inFlight = new InFlightWrites();
  readonly #writeConcurrency: number;
  readonly #maxAssignments: number;
  readonly #maxConditionWrites: number;
  readonly #pendingDelayMs: number;
  readonly #idleRecheckMs: number;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
    const o = deps.options ?? {};
    this.#writeConcurrency = Math.max(1, o.writeConcurrency ?? 16);
    this.#maxAssignments = Math.max(1, o.maxAssignmentsPerCycle ?? 256);
    this.#maxConditionWrites = Math.max(0, o.maxConditionWritesPerCycle ?? 64);
    this.#pendingDelayMs = Math.max(0, o.pendingConditionDelayMs ?? 5_000);
    this.#idleRecheckMs = Math.max(1, o.idleRecheckMs ?? 30_000);
  }

  async reconcile(_req: Request, ctx: ReconcileContext): Promise<Result> {
    const started = performance.now();
    const { jobs, agents, clock } = this.#deps;
    const now = clock.now();
    this.#inFlight.prune(jobs, now);

    const pending = new Map<string, Job>();
    for (const job of jobs.byIndex(JOB_INDEX.byPhase, "Pending")) {
      const key = keyOfJob(job);
      if (job.metadata.deletionTimestamp !== undefined || job.spec.cancel === true || this.#inFlight.hides(key, job)) continue;
      pending.set(key, job);
    }
    const active = [...jobs.byIndex(JOB_INDEX.byPhase, "Assigned"), ...jobs.byIndex(JOB_INDEX.byPhase, "Running")];
    const plan = planDispatch(
      buildSnapshot({
        pending: [...pending.values()],
        active,
        held: this.#inFlight.heldSlots(),
        agents: agents.list(),
        flags: schedulingFlags(this.#deps.flags),
        now,
        maxAssignments: this.#maxAssignments,
      }),
    );

    const assigned = await mapBounded(plan.assignments, this.#writeConcurrency, (a) => this.#assign(pending.get(a.jobKey), a, now, ctx));

    const { writes, wakeAt: turnWakeAt, overBudget } = this.#conditionWrites(plan.unplaced, pending, now);
    const conditioned = await mapBounded(writes, this.#writeConcurrency, ({ job, unplaced }) => this.#markUnplaced(job, unplaced, now, ctx));

    const count = (outcomes: readonly WriteOutcome[], o: WriteOutcome): number => outcomes.filter((x) => x === o).length;
    const errors = count(assigned, "error") + count(conditioned, "error");
    const summary = {
      pending: pending.size,
      assigned: count(assigned, "written"),
      conflicts: count(assigned, "conflict") + count(conditioned, "conflict"),
      conditions: count(conditioned, "written"),
      deferred: plan.deferred.length,
      errors,
    };
    const seconds = (performance.now() - started) / 1000;
    this.#deps.metrics?.dispatchCycle.observe({ result: errors > 0 ? "error" : "success" }, seconds);
    if (summary.assigned > 0 || summary.conflicts > 0 || errors > 0) ctx.log.debug({ ...summary, seconds }, "dispatch cycle");

    // What next: more work now (budget spent, write errors), or the earliest time-based wake-up.
    if (plan.deferred.length > 0 || overBudget) return { requeueAfter: 1 };
    if (errors > 0) return { requeueAfter: 1_000 };
    const wakeAts = [plan.nextWakeAt, turnWakeAt, pending.size > plan.assignments.length ? now + this.#idleRecheckMs : undefined].filter(
      (t): t is number => t !== undefined,
    );
    if (wakeAts.length === 0) return {};
    return { requeueAfter: Math.max(1, Math.min(...wakeAts) - now) };
  }

  async #assign(job: Job | undefined, a: Assignment, now: number, ctx: ReconcileContext): Promise<WriteOutcome> {
    if (job === undefined) return "gone";
    const fromVersion = job.metadata.resourceVersion ?? "";
    const status = assignedStatus(job, a.agentName, now);
    const outcome = await this.#write(job, status, ctx);
    if (outcome !== "written") return outcome;
    const namespace = job.metadata.namespace ?? "";
    const queue = queueOf(job);
    this.#inFlight.record(keyOfJob(job), fromVersion, now, { namespace, agent: a.agentName, queue });
    const metrics = this.#deps.metrics;
    if (metrics !== undefined) {
      const created = Date.parse(job.metadata.creationTimestamp ?? "");
      if (Number.isFinite(created)) metrics.scheduleLatency.observe({ namespace, queue, priority: priorityOf(job) }, Math.max(0, now - created) / 1000);
      const since = eligibleSinceOf(job);
      if (since !== undefined) metrics.queueWait.observe({ namespace, queue }, Math.max(0, now - since) / 1000);
      metrics.assigned.inc({ namespace, queue });
    }
    const message = `assigned to agent ${a.agentName} at effective priority ${a.effectivePriority}`;
    this.#deps.audit.record({
      namespace,
      action: "assigned",
      kind: "Job",
      name: job.metadata.name ?? "",
      ...(job.metadata.uid === undefined ? {} : { uid: job.metadata.uid }),
      attempt: status.attempt ?? 1,
      agent: a.agentName,
      reason: "Scheduled",
      message,
      actor: QUEUE_PRIORITY_CONTROLLER,
    });
    ctx.log.debug({ job: job.metadata.name, namespace, uid: job.metadata.uid, attempt: status.attempt, agent: a.agentName }, "assigned");
    return "written";
  }

  /** Which unplaced jobs need their condition written now, within the budget, and when to look again. */
  #conditionWrites(
    unplaced: readonly Unplaced[],
    pending: ReadonlyMap<string, Job>,
    now: number,
  ): { writes: { job: Job; unplaced: Unplaced }[]; wakeAt: number | undefined; overBudget: boolean } {
    const writes: { job: Job; unplaced: Unplaced }[] = [];
    let wakeAt: number | undefined;
    let overBudget = false;
    for (const u of unplaced) {
      const job = pending.get(u.jobKey);
      if (job === undefined || unplacedStatus(job, u, now) === undefined) continue;
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

  async #markUnplaced(job: Job, unplaced: Unplaced, now: number, ctx: ReconcileContext): Promise<WriteOutcome> {
    const status = unplacedStatus(job, unplaced, now);
    if (status === undefined) return "conflict";
    const fromVersion = job.metadata.resourceVersion ?? "";
    const outcome = await this.#write(job, status, ctx);
    if (outcome !== "written") return outcome;
    this.#inFlight.record(keyOfJob(job), fromVersion, now);
    if (unplaced.blocked && !QUIET_BLOCKS.has(unplaced.reason)) {
      this.#deps.events.event(job, "Warning", unplaced.reason, "Schedule", unplaced.message);
    }
    return "written";
  }

  async #write(job: Job, status: NonNullable<Job["status"]>, ctx: ReconcileContext): Promise<WriteOutcome> {
    try {
      const result = await this.#deps.statusWriter.updateStatus(job, status, { signal: ctx.signal });
      switch (result.outcome) {
        case "updated":
          return "written";
        case "notFound":
          return "gone";
        default:
          return "conflict";
      }
    } catch (err) {
      logWriteError(ctx.log, job, err);
      return "error";
    }
  }
}

function keyOfJob(job: Job): string {
  return `${job.metadata.namespace ?? ""}/${job.metadata.name ?? ""}`;
}

function logWriteError(log: Logger, job: Job, err: unknown): void {
  log.warn({ err, job: job.metadata.name, namespace: job.metadata.namespace }, "dispatcher status write failed; will retry");
}

/**
 * Whether a job event can change a dispatch decision: a new or deleted job that is not terminal, a
 * phase or agent change (a finish frees a slot), or any change to a Pending job. Progress writes of
 * running jobs do not wake the dispatcher.
 */
export function jobEventMattersToDispatch(oldJob: Job | undefined, newJob: Job): boolean {
  const phase = jobPhase(newJob);
  if (oldJob === undefined) return !isTerminalJobPhase(phase);
  return phase === "Pending" || jobPhase(oldJob) !== phase || oldJob.status?.assignedAgent !== newJob.status?.assignedAgent;
}
