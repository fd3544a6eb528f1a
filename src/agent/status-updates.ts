// Pure Job status transitions an agent writes (docs/job-lifecycle.md), and the fence they are written under.
import {
  formatTime,
  JOB_CONDITIONS,
  LIMITS,
  setCondition,
  type Job,
  type JobAttempt,
  type JobError,
  type JobProgress,
  type JobStatus,
} from "../api/index.js";

/** Which attempt an agent acts for: a write is valid only while the Job still says so. */
export interface Fence {
  readonly uid: string;
  readonly agent: string;
  readonly attempt: number;
}

/** The outcomes an agent reports on its attempt record; the operator decides what follows. */
export const AGENT_OUTCOMES = {
  succeeded: "Succeeded",
  failed: "Failed",
  /** Handed back unfinished (drain): requeue at once without counting a retry. */
  released: "Released",
} as const;
export type AgentOutcome = (typeof AGENT_OUTCOMES)[keyof typeof AGENT_OUTCOMES];

/**
 * Reasons an agent puts in `lastError` / the attempt record. NoHandler, BadPayload and ResultTooLarge
 * are terminal (`lastError.terminal`): the same Job would fail the same way on every attempt.
 */
export const AGENT_ERROR_REASONS = {
  handlerFailed: "HandlerFailed",
  timeout: "Timeout",
  resultTooLarge: "ResultTooLarge",
  noHandler: "NoHandler",
  badPayload: "BadPayload",
  /** The apiserver refused the attempt's report (or it could not be encoded); terminal. */
  statusRejected: "StatusRejected",
  draining: "AgentDraining",
} as const;

/** The attempt record of `attempt`, if the Job has one. */
export function attemptRecord(job: Job, attempt: number): JobAttempt | undefined {
  return job.status?.attempts?.find((a) => a.attempt === attempt);
}

/**
 * True while `job` still hands `fence.attempt` to `fence.agent` and the agent has not reported an
 * outcome for it yet: the only state in which the agent may run or write.
 */
export function holdsFence(job: Job, fence: Fence): boolean {
  const status = job.status;
  return (
    job.metadata.uid === fence.uid &&
    status?.assignedAgent === fence.agent &&
    status.attempt === fence.attempt &&
    (status.phase === "Assigned" || status.phase === "Running") &&
    !attemptRecord(job, fence.attempt)?.outcome
  );
}

/** Clamps what a handler reports to what the schema accepts. */
export function boundProgress(percent: number, message: string | undefined, now: Date): JobProgress {
  const clamped = Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0;
  return {
    percent: Math.round(clamped * 100) / 100,
    ...(message === undefined ? {} : { message: truncate(message, LIMITS.messageLength) }),
    updatedAt: formatTime(now),
  };
}

/** Assigned → Running: the lazy ack, written only if the handler is still running after the ack delay. */
export function runningStatus(job: Job, fence: Fence, now: Date, progress: JobProgress | undefined): JobStatus {
  const status = job.status ?? {};
  const at = formatTime(now);
  return {
    ...status,
    phase: "Running",
    startedAt: at,
    progress: progress ?? { percent: 0, updatedAt: at },
    attempts: updateAttempt(status.attempts, fence, { startedAt: at }),
  };
}

/** Progress only; phase and everything else unchanged. */
export function progressStatus(job: Job, progress: JobProgress): JobStatus {
  return { ...job.status, progress };
}

/** Assigned/Running → Succeeded with the handler's (bounded) result. */
export function succeededStatus(job: Job, fence: Fence, result: Record<string, unknown> | undefined, now: Date, progress: JobProgress | undefined): JobStatus {
  const status = job.status ?? {};
  const at = formatTime(now);
  return {
    ...withoutResult(status),
    phase: "Succeeded",
    ...(result === undefined ? {} : { result }),
    finishedAt: at,
    progress: { ...progress, percent: 100, updatedAt: at },
    attempts: updateAttempt(status.attempts, fence, {
      outcome: AGENT_OUTCOMES.succeeded,
      finishedAt: at,
      // A quick attempt was never acked: it started when it finished, as far as anyone saw.
      startedAt: attemptRecord(job, fence.attempt)?.startedAt ?? status.startedAt ?? at,
    }),
    conditions: setCondition(status.conditions, { type: JOB_CONDITIONS.complete, status: "True", reason: "Succeeded", message: `attempt ${fence.attempt} succeeded on ${fence.agent}` }, now),
  };
}

/**
 * A fact about the attempt (it failed, timed out, or is handed back): `lastError` (with `terminal`
 * when no retry can fix it) and the attempt record's outcome. The phase is left alone: job-recovery
 * decides what happens next.
 */
export function attemptFactStatus(job: Job, fence: Fence, outcome: Exclude<AgentOutcome, "Succeeded">, error: JobError, now: Date, progress: JobProgress | undefined): JobStatus {
  const status = job.status ?? {};
  const at = formatTime(now);
  return {
    ...status,
    lastError: {
      reason: truncate(error.reason, 128),
      message: truncate(error.message, LIMITS.messageLength),
      attempt: fence.attempt,
      ...(error.terminal === true ? { terminal: true } : {}),
    },
    ...(progress === undefined ? {} : { progress }),
    attempts: updateAttempt(status.attempts, fence, { outcome, finishedAt: at, reason: truncate(error.reason, 128) }),
  };
}

/** Sets fields on the fence's attempt record, adding it if the dispatcher did not; keeps the history bounded. */
function updateAttempt(attempts: readonly JobAttempt[] | undefined, fence: Fence, fields: Partial<JobAttempt>): JobAttempt[] {
  const list = attempts ?? [];
  const found = list.some((a) => a.attempt === fence.attempt);
  const next = found
    ? list.map((a) => (a.attempt === fence.attempt ? { ...a, ...fields } : a))
    : [...list, { attempt: fence.attempt, agent: fence.agent, outcome: "", ...fields }];
  return next.slice(-LIMITS.attemptHistory);
}

function withoutResult(status: JobStatus): JobStatus {
  const copy = { ...status };
  delete copy.result;
  return copy;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
