// The job-recovery controller: per-job timers and decisions that requeue, retry, fail, expire, cancel
// and garbage-collect jobs, so no job is lost when an agent, a handler or a deadline fails.
import type { Job } from "../../api/index.js";
import { JOB_TYPE } from "../../api/index.js";
import { ResourceClient } from "../../runtime/client/index.js";
import { Controller, requestForObject } from "../../runtime/controller/index.js";
import { StatusWriter } from "../../runtime/status/index.js";
import type { ControllerRegistration, OperatorContext } from "../operator-context.js";
import { agentIndexKey, JOB_INDEX, jobMetrics } from "../shared/index.js";
import type { RecoveryConfig } from "./decide.js";
import { JOB_RECOVERY_CONTROLLER, JobRecoveryReconciler } from "./reconciler.js";

export { announceRecovery, type ActedDecision, type AnnounceDeps } from "./announce.js";
export {
  decideRecovery,
  decideSettled,
  isAgentLossRequeue,
  RECOVERY_REASONS,
  type AgentLossRequeue,
  type AgentView,
  type AttemptCause,
  type RecoveryConfig,
  type RecoveryDecision,
  type RecoveryInput,
  type RecoveryReason,
} from "./decide.js";
export { decideFromCaches, JOB_RECOVERY_CONTROLLER, JobRecoveryReconciler, type JobRecoveryDeps, type RecoverySources } from "./reconciler.js";

/** The recovery deadlines from the operator's flags (job recovery's, and the dispatcher's for lost agents). */
export function recoveryConfig(config: OperatorContext["config"]): RecoveryConfig {
  return {
    ackTimeoutMs: config.jobAckTimeoutMs,
    stuckThresholdMs: config.jobStuckThresholdMs,
    maxQueueTimeMs: config.maxQueueTimeMs,
    finishedJobTtlMs: config.finishedJobTtlMs,
  };
}

/** Builds the job-recovery controller: keyed by job; an agent change reconciles the agent's active jobs. */
export function jobRecoveryController(ctx: OperatorContext, options: { workers?: number; random?: () => number } = {}): Controller {
  const client = new ResourceClient<Job>(ctx.transport, JOB_TYPE);
  const jobs = ctx.informers.jobs.store;
  const reconciler = new JobRecoveryReconciler({
    jobs,
    agents: ctx.informers.agents.store,
    statusWriter: new StatusWriter<Job>(client, { log: ctx.log }),
    deleter: client,
    flags: ctx.flags,
    audit: ctx.audit,
    events: ctx.events,
    clock: ctx.clock,
    config: recoveryConfig(ctx.config),
    metrics: jobMetrics(ctx.registry),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const controller = new Controller({
    name: JOB_RECOVERY_CONTROLLER,
    reconciler,
    // An agent lost with 50 running jobs queues 50 keys at once, each one status write: with few
    // workers the requeues wait on each other's round trips (bench recovery: 4 workers, 250 jobs, 3.4 s).
    maxConcurrentReconciles: options.workers ?? 16,
    registry: ctx.registry,
    logger: ctx.log,
    clock: ctx.clock,
  });
  controller.watch(ctx.informers.jobs);
  // Offline or deleted agents: their active jobs (still indexed by agent) are recovered (the
  // dispatcher moves them; this controller fails those out of retries).
  controller.watch(ctx.informers.agents, (agent) =>
    jobs.byIndex(JOB_INDEX.activeByAgent, agentIndexKey(agent.metadata.namespace ?? "", agent.metadata.name ?? "")).flatMap(requestForObject),
  );
  // The kill switch stops active jobs: re-decide each of them when any control flag changes.
  ctx.flags.onChange(() => {
    for (const phase of ["Assigned", "Running"]) for (const job of jobs.byIndex(JOB_INDEX.byPhase, phase)) for (const req of requestForObject(job)) controller.enqueue(req);
  });
  return controller;
}

export const jobRecoveryRegistration: ControllerRegistration = {
  name: JOB_RECOVERY_CONTROLLER,
  setup: (ctx) => [jobRecoveryController(ctx)],
};
