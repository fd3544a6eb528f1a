// The job-recovery reconciler: read one Job and its agent from the caches, decide (decide.ts), write, announce.
import type { Agent, AuditAction, Job } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { ControlFlags } from "../../api/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import { deleteUnchanged, orThrow, type Deleter } from "../../runtime/client/index.js";
import type { EventRecorder, EventType } from "../../runtime/events/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import type { ReconcileContext, Reconciler, Request, Result } from "../../runtime/reconcile/index.js";
import type { StatusWriter } from "../../runtime/status/index.js";
import { isActivePhase, isLiveJob, jobPhase, priorityOf, queueOf, type CachedJob, type JobMetrics } from "../shared/index.js";
import { decideRecovery, decideSettled, type AgentView, type RecoveryConfig, type RecoveryDecision } from "./decide.js";

export const JOB_RECOVERY_CONTROLLER = "job-recovery";

export interface JobRecoveryDeps {
  readonly jobs: ReadonlyStore<CachedJob>;
  readonly agents: ReadonlyStore<Agent>;
  readonly statusWriter: Pick<StatusWriter<Job>, "updateStatus">;
  /** The one delete job recovery makes (TTL), with preconditions so a changed or recreated Job survives. */
  readonly deleter: Deleter;
  readonly flags: ControlFlags;
  readonly audit: AuditSink;
  readonly events: EventRecorder;
  readonly clock: Pick<Clock, "now">;
  readonly config: RecoveryConfig;
  readonly random?: () => number;
  readonly metrics?: JobMetrics;
}

interface Notice {
  readonly audit: AuditAction;
  /** Undefined: routine, no Event. */
  readonly event?: { readonly type: EventType; readonly reason: string; readonly action: string };
}

/** Per-job reconcile: level-based, one key at a time; every write carries the cached resourceVersion. */
export class JobRecoveryReconciler implements Reconciler {
  readonly #deps: JobRecoveryDeps;

  constructor(deps: JobRecoveryDeps) {
    this.#deps = deps;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const { jobs, clock } = this.#deps;
    const job = jobs.getByName(req.namespace, req.name);
    if (job === undefined || job.metadata.deletionTimestamp !== undefined) return {};
    // A settled job is cached without what the other decisions read, and is only ever deleted.
    if (!isLiveJob(job)) {
      const settled = decideSettled(job, clock.now(), this.#deps.config);
      if (settled.kind === "delete") return this.#delete(job, settled, ctx);
      return settled.kind === "none" && settled.requeueAfterMs !== undefined ? { requeueAfter: Math.max(1, settled.requeueAfterMs) } : {};
    }
    const decision = decideRecovery({
      job,
      agent: this.#agentView(job),
      killSwitch: this.#killSwitch(job),
      config: this.#deps.config,
      now: clock.now(),
      random: this.#deps.random ?? Math.random,
    });
    switch (decision.kind) {
      case "none":
        return decision.requeueAfterMs === undefined ? {} : { requeueAfter: Math.max(1, decision.requeueAfterMs) };
      case "delete":
        return this.#delete(job, decision, ctx);
      default: {
        // retryOn429 false: a 429 fails this reconcile at once and the queue retries after Retry-After.
        const written = orThrow(await this.#deps.statusWriter.updateStatus(job, decision.status, { signal: ctx.signal, retryOn429: false }));
        // A 409 means someone acted since our read: the informer brings the newer Job and we decide again.
        if (written.outcome === "conflict") return { requeue: true };
        if (written.outcome !== "written") return {};
        this.#announce(written.object, decision, ctx);
        return {};
      }
    }
  }

  #agentView(job: CachedJob): AgentView | undefined {
    const name = job.status?.assignedAgent;
    if (name === undefined || !isActivePhase(jobPhase(job))) return undefined;
    const agent = this.#deps.agents.getByName(job.metadata.namespace, name);
    return agent === undefined ? { missing: true } : { missing: false, phase: agent.status?.phase };
  }

  #killSwitch(job: CachedJob): boolean {
    if (!isActivePhase(jobPhase(job))) return false;
    return this.#deps.flags.killSwitch({
      jobType: job.spec.type,
      queue: queueOf(job),
      namespace: job.metadata.namespace ?? "",
      priority: priorityOf(job),
      ...(job.status?.assignedAgent === undefined ? {} : { agent: job.status.assignedAgent }),
    });
  }

  async #delete(job: CachedJob, decision: Extract<RecoveryDecision, { kind: "delete" }>, ctx: ReconcileContext): Promise<Result> {
    const outcome = await deleteUnchanged(this.#deps.deleter, job, { signal: ctx.signal });
    if (outcome === "changed") return { requeue: true };
    if (outcome === "deleted") this.#announce(job, decision, ctx);
    return {};
  }

  #announce(job: CachedJob, decision: Exclude<RecoveryDecision, { kind: "none" }>, ctx: ReconcileContext): void {
    const notice = noticeFor(decision);
    const namespace = job.metadata.namespace ?? "";
    const attempt = job.status?.attempt;
    const agent = decision.kind === "requeue" || decision.kind === "fail" ? this.#previousAgent(job) : undefined;
    if (decision.kind === "requeue" && decision.countsRetry) {
      this.#deps.metrics?.retries.inc({ namespace, queue: queueOf(job), reason: decision.reason });
    }
    if (notice !== undefined) {
      this.#deps.audit.record({
        namespace,
        action: notice.audit,
        kind: "Job",
        name: job.metadata.name ?? "",
        ...(job.metadata.uid === undefined ? {} : { uid: job.metadata.uid }),
        ...(attempt === undefined || attempt === 0 ? {} : { attempt }),
        ...(agent === undefined ? {} : { agent }),
        reason: decision.kind === "fail" ? `${decision.reason}` : decision.reason,
        message: decision.message.slice(0, 1024),
        actor: JOB_RECOVERY_CONTROLLER,
      });
      if (notice.event !== undefined) this.#deps.events.event(job, notice.event.type, notice.event.reason, notice.event.action, decision.message);
    }
    ctx.log.info(
      { job: job.metadata.name, namespace, uid: job.metadata.uid, attempt, decision: decision.kind, reason: decision.reason, message: decision.message },
      `job ${decision.kind}`,
    );
  }

  #previousAgent(job: CachedJob): string | undefined {
    const attempt = job.status?.attempt;
    return job.status?.attempts?.find((a) => a.attempt === attempt)?.agent;
  }
}

// Agent loss, deadlines and terminal failures are worth a Warning in `kubectl describe`; a handler's
// own failure retried with backoff is routine (the audit trail and lastError keep it).
function noticeFor(decision: Exclude<RecoveryDecision, { kind: "none" }>): Notice | undefined {
  switch (decision.kind) {
    case "requeue": {
      const audit: AuditAction = decision.countsRetry ? "retried" : "requeued";
      if (decision.reason === "HandlerFailed") return { audit };
      const type: EventType = decision.reason === "Released" || decision.reason === "KillSwitch" ? "Normal" : "Warning";
      return { audit, event: { type, reason: decision.reason, action: "Requeue" } };
    }
    case "fail":
      return { audit: "failed", event: { type: "Warning", reason: decision.reason, action: "Fail" } };
    case "expire":
      return { audit: "expired", event: { type: "Warning", reason: decision.reason, action: "Expire" } };
    case "cancel":
      return { audit: "cancelled", event: { type: "Normal", reason: decision.reason, action: "Cancel" } };
    case "delete":
      return { audit: "deleted" };
    case "complete":
      return undefined;
  }
}
