// The job cache's transform for settled terminal Jobs: keep only the status fields the operator still reads.
import { isConditionTrue, isTerminalJobPhase, JOB_CONDITIONS, type Job, type JobAttempt, type JobStatus } from "../../api/index.js";
import { withoutKeys } from "../../runtime/cache/index.js";

/** Status fields no reader of a settled Job's cached copy uses (most of a finished Job's status). */
const DROPPED_STATUS: ReadonlySet<string> = new Set(["result", "progress", "lastError", "queuedAt", "nextAttemptAt", "observedGeneration"]);

/**
 * Terminal (an absorbing phase) with its bookkeeping done: `finishedAt` set and `Complete=True`
 * (`Failed=True` for the failed phases). job-recovery's decideTerminal writes a terminal Job's status
 * only when this is false, so no one builds a status write from a settled Job's cache.
 */
export function isSettledJob(job: Job): boolean {
  const status = job.status;
  if (!isTerminalJobPhase(status?.phase) || status.finishedAt === undefined) return false;
  return isConditionTrue(status.conditions, terminalCondition(status));
}

/**
 * Trims a settled Job (about 80 % of the cache at scale; a terminal phase never changes). Kept:
 * metadata, the spec fields `settledSpec` names, phase, attempt, assignedAgent and the times
 * (`finishedAt` times TTL deletion, the job's own TTL or --finished-job-ttl; the metrics collector's
 * run time and audit entries), the terminal condition with its
 * message emptied (job-recovery's settled check), and of each attempt record what the agent-health circuit
 * breaker and the agent indexes read. Any other Job,
 * including a terminal one still missing its bookkeeping, is returned as it is.
 */
export function trimSettledJob(job: Job): Job {
  const status = job.status;
  if (status === undefined || !isSettledJob(job)) return job;
  const condition = terminalCondition(status);
  const kept: JobStatus = {
    ...withoutKeys(status, DROPPED_STATUS),
    conditions: (status.conditions ?? []).filter((c) => c.type === condition).map(({ type, status, reason, lastTransitionTime }) => ({ type, status, reason, message: "", lastTransitionTime })),
    ...(status.attempts === undefined ? {} : { attempts: status.attempts.map(breakerRecord) }),
  };
  return { ...job, spec: settledSpec(job.spec), status: kept };
}

/** The spec fields read of a settled Job: its TTL (job-recovery) and the labels of its metrics. The operator never writes a Job's spec. */
function settledSpec(spec: Job["spec"]): Job["spec"] {
  const { type, queue, priority, retry, ttlSecondsAfterFinished } = spec;
  return { type, queue, priority, retry, ...(ttlSecondsAfterFinished === undefined ? {} : { ttlSecondsAfterFinished }) };
}

function terminalCondition(status: JobStatus): string {
  return status.phase === "Succeeded" ? JOB_CONDITIONS.complete : JOB_CONDITIONS.failed;
}

/** An attempt record as the circuit breaker reads it (agent-health decide.ts, attemptOutcomes). */
function breakerRecord(record: JobAttempt): JobAttempt {
  const { attempt, agent, outcome, assignedAt, finishedAt } = record;
  return { attempt, agent, outcome, ...(assignedAt === undefined ? {} : { assignedAt }), ...(finishedAt === undefined ? {} : { finishedAt }) };
}
