// The job-recovery reconciler: read one Job and its agent from the caches, decide (decide.ts), write, announce.
import type { Agent, Job } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { ControlFlags } from "../../api/index.js";
import type { ReadonlyStore } from "../../runtime/cache/index.js";
import { deleteUnchanged, orThrow, type Deleter } from "../../runtime/client/index.js";
import type { EventRecorder } from "../../runtime/events/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import { awaitChange, requeueAfter, retryWithBackoff, type ReconcileContext, type Reconciler, type Request, type Result } from "../../runtime/reconcile/index.js";
import type { StatusWriter } from "../../runtime/status/index.js";
import { isActivePhase, isLiveJob, jobPhase, priorityOf, queueOf, type CachedJob, type JobMetrics } from "../shared/index.js";
import { announceRecovery } from "./announce.js";
import { decideRecovery, decideSettled, isAgentLossRequeue, type AgentView, type RecoveryConfig, type RecoveryDecision } from "./decide.js";

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


/** Per-job reconcile: level-based, one key at a time; every write carries the cached resourceVersion. */
export class JobRecoveryReconciler implements Reconciler {
  readonly #deps: JobRecoveryDeps;

  constructor(deps: JobRecoveryDeps) {
    this.#deps = deps;
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const { jobs, clock } = this.#deps;
    const job = jobs.getByName(req.namespace, req.name);
    if (job === undefined || job.metadata.deletionTimestamp !== undefined) return awaitChange();
    // A settled job is cached without what the other decisions read, and is only ever deleted.
    if (!isLiveJob(job)) {
      const settled = decideSettled(job, clock.now(), this.#deps.config);
      if (settled.kind === "delete") return this.#delete(job, settled, ctx);
      return settled.kind === "none" && settled.requeueAfterMs !== undefined ? requeueAfter(Math.max(1, settled.requeueAfterMs)) : awaitChange();
    }
    const decision = decideFromCaches(job, this.#deps, clock.now());
    // The dispatcher moves a lost agent's jobs (to a new agent in the same write when one has room).
    if (isAgentLossRequeue(decision)) return awaitChange();
    switch (decision.kind) {
      case "none":
        return decision.requeueAfterMs === undefined ? awaitChange() : requeueAfter(Math.max(1, decision.requeueAfterMs));
      case "delete":
        return this.#delete(job, decision, ctx);
      default: {
        // retryOn429 false: a 429 fails this reconcile at once and the queue retries after Retry-After.
        const written = orThrow(await this.#deps.statusWriter.updateStatus(job, decision.status, { signal: ctx.signal, retryOn429: false }));
        // A 409 means someone acted since our read: the informer brings the newer Job and we decide again.
        if (written.outcome === "conflict") return retryWithBackoff();
        if (written.outcome !== "written") return awaitChange();
        announceRecovery(this.#deps, written.object, decision, JOB_RECOVERY_CONTROLLER, ctx.log);
        return awaitChange();
      }
    }
  }

  async #delete(job: CachedJob, decision: Extract<RecoveryDecision, { kind: "delete" }>, ctx: ReconcileContext): Promise<Result> {
    const outcome = await deleteUnchanged(this.#deps.deleter, job, { signal: ctx.signal });
    if (outcome === "changed") return retryWithBackoff();
    if (outcome === "deleted") announceRecovery(this.#deps, job, decision, JOB_RECOVERY_CONTROLLER, ctx.log);
    return awaitChange();
  }
}

/** What the caches need to decide one job: its agent, the control flags, the config. */
export type RecoverySources = Pick<JobRecoveryDeps, "agents" | "flags" | "config" | "random">;

/** decideRecovery over the cached agent and flags of `job` (the reconciler's and the dispatcher's one way to ask). */
export function decideFromCaches(job: Job, sources: RecoverySources, now: number): RecoveryDecision {
  return decideRecovery({
    job,
    agent: agentView(job, sources.agents),
    killSwitch: killSwitch(job, sources.flags),
    config: sources.config,
    now,
    random: sources.random ?? Math.random,
  });
}

function agentView(job: Job, agents: ReadonlyStore<Agent>): AgentView | undefined {
  const name = job.status?.assignedAgent;
  if (name === undefined || !isActivePhase(jobPhase(job))) return undefined;
  const agent = agents.getByName(job.metadata.namespace, name);
  return agent === undefined ? { missing: true } : { missing: false, phase: agent.status?.phase };
}

function killSwitch(job: Job, flags: ControlFlags): boolean {
  if (!isActivePhase(jobPhase(job))) return false;
  return flags.killSwitch({
    jobType: job.spec.type,
    queue: queueOf(job),
    namespace: job.metadata.namespace ?? "",
    priority: priorityOf(job),
    ...(job.status?.assignedAgent === undefined ? {} : { agent: job.status.assignedAgent }),
  });
}
