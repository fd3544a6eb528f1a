// What job recovery does with one Job: a pure decision over the job, its agent as the operator sees it, config and time.
//
// Flow (first match wins):
// 1. Terminal: write missing bookkeeping (finishedAt, Complete/Failed condition), then delete once
//    its time-to-live has passed since finishedAt: spec.ttlSecondsAfterFinished when the job sets it
//    (0 deletes at once), else --finished-job-ttl (0 keeps it forever).
// 2. `spec.cancel` → Cancelled (from Pending, Assigned or Running).
// 3. Pending: past the queue deadline → Expired; else wait for it.
// 4. Assigned/Running, first the facts the agent reported on the current attempt (Failed → retry,
//    or Failed at once when the agent marked it terminal; Released → requeue without a retry),
//    then what the operator observes: agent deleted or
//    Offline (the dispatcher writes these requeues: see isAgentLossRequeue), kill switch (requeue without a retry: the job waits Blocked until the flag is off),
//    timeoutSeconds, ack timeout (Assigned, never started), stuck (Running, no progress).
//    A counted retry past spec.retry.maxRetries fails the job (RetriesExhausted).
// Otherwise nothing, with `requeueAfterMs` = the next time-based deadline.
//
// Guarantees: retries never exceed maxRetries, and a failure the agent marked terminal
// (`lastError.terminal`) spends none; a terminal job's phase never changes; a requeue
// clears the agent (the agent's field-selected watch sees the job leave and aborts the handler)
// and keeps `attempt`, so the next assignment gets a new fencing token.
import {
  formatTime,
  isTerminalJobPhase,
  JOB_CONDITIONS,
  setCondition,
  type AgentPhase,
  type Job,
  type JobAttempt,
  type JobError,
  type JobStatus,
} from "../../api/index.js";
import { formatDuration } from "../../runtime/config/index.js";
import { retryDelayMs } from "../../scheduling/index.js";
import { currentAttempt, eligibleSinceOf, isSettledJob, jobPhase, parseTime, queuedAtOf, type CachedJob } from "../shared/index.js";

/** The assigned agent as the operator sees it. */
export interface AgentView {
  /** The Agent object is gone. */
  readonly missing: boolean;
  /** Its phase per agent-health; undefined when not yet judged. */
  readonly phase?: AgentPhase | undefined;
}

export interface RecoveryConfig {
  /** `--job-ack-timeout`: an Assigned job not started this long is requeued. */
  readonly ackTimeoutMs: number;
  /** `--job-stuck-threshold`: a Running job without progress this long is requeued. */
  readonly stuckThresholdMs: number;
  /** `--max-queue-time`: the queue deadline of jobs without spec.maxQueueSeconds. */
  readonly maxQueueTimeMs: number;
  /** `--finished-job-ttl`: the time-to-live of finished jobs without spec.ttlSecondsAfterFinished; 0 keeps them. */
  readonly finishedJobTtlMs: number;
}

export interface RecoveryInput {
  readonly job: Job;
  /** The agent of the current attempt; undefined when the job has none. */
  readonly agent?: AgentView | undefined;
  /** `helios-job-kill-switch` evaluated for this job. */
  readonly killSwitch: boolean;
  readonly config: RecoveryConfig;
  readonly now: number;
  /** Jitter source in [0, 1) for the backoff. */
  readonly random: () => number;
}

/** Why an attempt was taken away or the job ended; the `reason` of conditions, attempt records, Events and audit entries. */
export const RECOVERY_REASONS = {
  handlerFailed: "HandlerFailed",
  released: "Released",
  agentDeleted: "AgentDeleted",
  agentOffline: "AgentOffline",
  killSwitch: "KillSwitch",
  timeout: "Timeout",
  ackTimeout: "AckTimeout",
  stuck: "Stuck",
  retriesExhausted: "RetriesExhausted",
  expired: "Expired",
  cancelled: "Cancelled",
  ttlExpired: "TTLExpired",
  completed: "Completed",
} as const;
export type RecoveryReason = (typeof RECOVERY_REASONS)[keyof typeof RECOVERY_REASONS];

/** Causes that take an attempt away from an active job. */
export type AttemptCause = Extract<
  RecoveryReason,
  "HandlerFailed" | "Released" | "AgentDeleted" | "AgentOffline" | "KillSwitch" | "Timeout" | "AckTimeout" | "Stuck"
>;

export type RecoveryDecision =
  /** Nothing to do now; look again after `requeueAfterMs` (the next deadline), if set. */
  | { readonly kind: "none"; readonly requeueAfterMs?: number }
  /** Back to Pending. `countsRetry` is false for Released and KillSwitch (not the job's fault). */
  | { readonly kind: "requeue"; readonly reason: AttemptCause; readonly countsRetry: boolean; readonly message: string; readonly status: JobStatus }
  /**
   * Failed: `reason` RetriesExhausted, or the agent's own reason for a failure it marked terminal
   * (no retry spent); `cause` is what ended the last attempt.
   */
  | { readonly kind: "fail"; readonly reason: string; readonly cause: AttemptCause; readonly message: string; readonly status: JobStatus }
  | { readonly kind: "expire"; readonly reason: "Expired"; readonly message: string; readonly status: JobStatus }
  | { readonly kind: "cancel"; readonly reason: "Cancelled"; readonly message: string; readonly status: JobStatus }
  /** Its time-to-live (ttlSecondsAfterFinished, else --finished-job-ttl) elapsed since it finished: delete the Job. */
  | { readonly kind: "delete"; readonly reason: "TTLExpired"; readonly message: string }
  /** A terminal job missing its bookkeeping (finishedAt, Complete/Failed condition). */
  | { readonly kind: "complete"; readonly reason: "Completed"; readonly message: string; readonly status: JobStatus };

// Causes that say the attempt itself failed (outcome Failed) rather than was taken away (Requeued).
const ATTEMPT_FAILED: ReadonlySet<AttemptCause> = new Set<AttemptCause>(["HandlerFailed", "Timeout", "Stuck"]);

/** Decides one job. Pure: same input, same decision. */
export function decideRecovery(input: RecoveryInput): RecoveryDecision {
  const { job, now } = input;
  const phase = jobPhase(job);
  if (isTerminalJobPhase(phase)) return decideTerminal(job, now, input.config);
  if (job.spec.cancel === true) return cancel(job, now);
  if (phase === "Pending") return decidePending(input);
  return decideActive(input);
}

function decideTerminal(job: Job, now: number, config: RecoveryConfig): RecoveryDecision {
  const status = job.status ?? {};
  const phase = jobPhase(job);
  const date = new Date(now);
  const wantsComplete = phase === "Succeeded";
  const conditionType = wantsComplete ? JOB_CONDITIONS.complete : JOB_CONDITIONS.failed;
  if (!isSettledJob(job)) {
    const reason = wantsComplete ? "Succeeded" : (status.lastError?.reason ?? phase);
    const next: JobStatus = {
      ...status,
      finishedAt: status.finishedAt ?? formatTime(date),
      conditions: setCondition(status.conditions, { type: conditionType, status: "True", reason: conditionReason(reason), message: `Job ${phase}.` }, date),
    };
    return { kind: "complete", reason: RECOVERY_REASONS.completed, message: `recorded the ${phase} job's finish time and ${conditionType} condition`, status: next };
  }
  return decideSettled(job, now, config);
}

/** A settled job (isSettledJob): deleted once its time-to-live has passed since finishedAt, else left alone. */
export function decideSettled(job: CachedJob, now: number, config: RecoveryConfig): RecoveryDecision {
  const ttl = timeToLive(job, config);
  const finishedAt = parseTime(job.status?.finishedAt);
  if (ttl === undefined || finishedAt === undefined) return { kind: "none" };
  const due = finishedAt + ttl.ms;
  if (now >= due) return { kind: "delete", reason: RECOVERY_REASONS.ttlExpired, message: `deleted ${ttl.text} after it finished (${ttl.source})` };
  return { kind: "none", requeueAfterMs: due - now };
}

/** How long a finished job is kept: its own ttlSecondsAfterFinished, else the operator's default; undefined keeps it forever. */
function timeToLive(job: CachedJob, config: RecoveryConfig): { ms: number; text: string; source: string } | undefined {
  const own = job.spec.ttlSecondsAfterFinished;
  if (own !== undefined) return { ms: own * 1000, text: `${own}s`, source: "ttlSecondsAfterFinished" };
  if (config.finishedJobTtlMs <= 0) return undefined;
  return { ms: config.finishedJobTtlMs, text: formatDuration(config.finishedJobTtlMs), source: "--finished-job-ttl" };
}

function decidePending(input: RecoveryInput): RecoveryDecision {
  const { job, now, config } = input;
  const limitMs = job.spec.maxQueueSeconds !== undefined ? job.spec.maxQueueSeconds * 1000 : config.maxQueueTimeMs;
  const since = eligibleSinceOf(job) ?? queuedAtOf(job);
  if (since === undefined) return { kind: "none" };
  const deadline = since + limitMs;
  if (now < deadline) return { kind: "none", requeueAfterMs: deadline - now };
  const message = `not started within ${Math.round(limitMs / 1000)}s of becoming eligible (${job.spec.maxQueueSeconds !== undefined ? "spec.maxQueueSeconds" : "--max-queue-time"})`;
  return { kind: "expire", reason: RECOVERY_REASONS.expired, message, status: finish(job, "Expired", RECOVERY_REASONS.expired, message, now, undefined) };
}

function decideActive(input: RecoveryInput): RecoveryDecision {
  const { job, now, config, agent } = input;
  const status = job.status ?? {};
  const record = currentAttempt(job);
  const agentName = status.assignedAgent ?? record?.agent ?? "";

  // Facts the agent reported on this attempt.
  if (record?.outcome === "Failed") {
    const reported = reportedError(status);
    const message = `attempt ${status.attempt ?? 0} on agent ${agentName} failed${reported === undefined ? " without reporting an error" : `: ${reported.message}`}`;
    if (reported?.terminal === true) return failTerminal(job, reported, message, now);
    return takeAway(input, RECOVERY_REASONS.handlerFailed, message, reported);
  }
  if (record?.outcome === "Released") {
    return takeAway(input, RECOVERY_REASONS.released, `agent ${agentName} released attempt ${status.attempt ?? 0} (draining)`);
  }
  // What the operator sees.
  if (agent?.missing === true) return takeAway(input, RECOVERY_REASONS.agentDeleted, `agent ${agentName} was deleted`);
  if (agent?.phase === "Offline") return takeAway(input, RECOVERY_REASONS.agentOffline, `agent ${agentName} is Offline (no heartbeat)`);
  if (input.killSwitch) return takeAway(input, RECOVERY_REASONS.killSwitch, "flag helios-job-kill-switch is on for this job: the attempt is stopped and the job waits, Blocked, until the flag is off");

  const deadlines: number[] = [];
  const assignedAt = parseTime(status.assignedAt) ?? parseTime(record?.assignedAt);
  const startedAt = parseTime(status.startedAt);
  const timeoutSeconds = job.spec.timeoutSeconds;
  const runFrom = startedAt ?? assignedAt;
  if (timeoutSeconds !== undefined && runFrom !== undefined) {
    const due = runFrom + timeoutSeconds * 1000;
    if (now >= due) return takeAway(input, RECOVERY_REASONS.timeout, `attempt ${status.attempt ?? 0} ran past timeoutSeconds (${timeoutSeconds}s)`);
    deadlines.push(due);
  }
  if (jobPhase(job) === "Assigned" && startedAt === undefined && assignedAt !== undefined) {
    const due = assignedAt + config.ackTimeoutMs;
    if (now >= due) return takeAway(input, RECOVERY_REASONS.ackTimeout, `agent ${agentName} did not start attempt ${status.attempt ?? 0} within ${Math.round(config.ackTimeoutMs / 1000)}s (--job-ack-timeout)`);
    deadlines.push(due);
  }
  if (jobPhase(job) === "Running") {
    const progressAt = Math.max(parseTime(status.progress?.updatedAt) ?? -Infinity, startedAt ?? -Infinity, assignedAt ?? -Infinity);
    if (Number.isFinite(progressAt)) {
      const due = progressAt + config.stuckThresholdMs;
      if (now >= due) return takeAway(input, RECOVERY_REASONS.stuck, `attempt ${status.attempt ?? 0} reported no progress for ${Math.round(config.stuckThresholdMs / 1000)}s (--job-stuck-threshold)`);
      deadlines.push(due);
    }
  }
  return deadlines.length === 0 ? { kind: "none" } : { kind: "none", requeueAfterMs: Math.min(...deadlines) - now };
}

/**
 * The agent's error for the current attempt: `lastError` unless it names another attempt. An earlier
 * attempt's error (kept while the job waited) is never quoted as this one's, so messages never nest.
 */
function reportedError(status: JobStatus): JobError | undefined {
  const error = status.lastError;
  return error !== undefined && (error.attempt === undefined || error.attempt === status.attempt) ? error : undefined;
}

/** Causes that re-place the job at once, without waiting out a backoff. */
const AGENT_LOSS: ReadonlySet<AttemptCause> = new Set([RECOVERY_REASONS.agentOffline, RECOVERY_REASONS.agentDeleted]);

/** A requeue of a job whose agent was lost. */
export type AgentLossRequeue = Extract<RecoveryDecision, { kind: "requeue" }>;

/**
 * Whether `decision` takes a job from a lost agent (Offline or deleted) back to Pending. The
 * dispatcher writes these, composed with the next assignment when an agent has room (one write),
 * else alone; job recovery leaves them to it, so there is one assigner.
 */
export function isAgentLossRequeue(decision: RecoveryDecision): decision is AgentLossRequeue {
  return decision.kind === "requeue" && AGENT_LOSS.has(decision.reason);
}

/**
 * Ends the current attempt for `cause`: requeue (with or without a retry) or fail when retries are
 * exhausted. `lastError` becomes the agent's `reported` error, else `message`, stamped with the attempt.
 */
function takeAway(input: RecoveryInput, cause: AttemptCause, message: string, reported?: JobError): RecoveryDecision {
  const { job, now } = input;
  const status = job.status ?? {};
  const countsRetry = cause !== RECOVERY_REASONS.released && cause !== RECOVERY_REASONS.killSwitch;
  const retries = status.retries ?? 0;
  const maxRetries = job.spec.retry.maxRetries;
  const outcome = ATTEMPT_FAILED.has(cause) ? "Failed" : "Requeued";
  const date = new Date(now);
  const at = formatTime(date);
  const lastError = { ...(reported ?? { reason: cause, message }), attempt: status.attempt ?? 0 };

  if (countsRetry && retries >= maxRetries) {
    const failMessage = `${message}; retries exhausted (${retries} of ${maxRetries} used)`;
    const next = finish(job, "Failed", RECOVERY_REASONS.retriesExhausted, failMessage, now, { outcome, reason: cause });
    return { kind: "fail", reason: RECOVERY_REASONS.retriesExhausted, cause, message: failMessage, status: { ...next, lastError: { reason: RECOVERY_REASONS.retriesExhausted, message: failMessage.slice(0, 1024), attempt: lastError.attempt } } };
  }

  const nextRetries = countsRetry ? retries + 1 : retries;
  // A lost agent is not the job's fault, so the job goes straight back to a healthy agent; the retry
  // still counts, so a job that kills every agent it touches stops after maxRetries.
  const waitsBackoff = countsRetry && !AGENT_LOSS.has(cause);
  const delayMs = waitsBackoff ? retryDelayMs(nextRetries, job.spec.retry, input.random) : 0;
  const rest: JobStatus = { ...status };
  delete rest.assignedAgent;
  delete rest.assignedAt;
  delete rest.startedAt;
  delete rest.progress;
  delete rest.nextAttemptAt;
  const nextAttemptAt = waitsBackoff ? formatTime(new Date(now + delayMs)) : undefined;
  const scheduled = waitsBackoff
    ? { type: JOB_CONDITIONS.scheduled, status: "False" as const, reason: "BackoffWait", message: `Retry ${nextRetries} of ${maxRetries} after ${cause}: waiting out retry backoff until ${nextAttemptAt ?? at}.` }
    : { type: JOB_CONDITIONS.scheduled, status: "False" as const, reason: "Requeued", message: `Requeued after ${cause}; waiting for an agent.` };
  const next: JobStatus = {
    ...rest,
    phase: "Pending",
    retries: nextRetries,
    queuedAt: at,
    ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }),
    lastError: { reason: lastError.reason, message: lastError.message.slice(0, 1024), attempt: lastError.attempt },
    attempts: closeAttempt(status, { outcome, reason: cause }, at),
    conditions: setCondition(status.conditions, scheduled, date),
  };
  const retryNote = waitsBackoff ? `; retry ${nextRetries} of ${maxRetries} in ${Math.ceil(delayMs / 1000)}s` : countsRetry ? `; retry ${nextRetries} of ${maxRetries} now` : "";
  return { kind: "requeue", reason: cause, countsRetry, message: `${message}${retryNote}`, status: next };
}

/** A failure no retry can fix (the agent's judgement): Failed now with the agent's reason and error. */
function failTerminal(job: Job, error: JobError, message: string, now: number): RecoveryDecision {
  const reason = conditionReason(error.reason, TERMINAL_FALLBACK_REASON);
  const failMessage = `${message}; not retried: ${reason} is terminal`;
  const next = finish(job, "Failed", reason, failMessage, now, { outcome: "Failed", reason: RECOVERY_REASONS.handlerFailed });
  return { kind: "fail", reason, cause: RECOVERY_REASONS.handlerFailed, message: failMessage, status: next };
}

function cancel(job: Job, now: number): RecoveryDecision {
  const message = `cancelled by spec.cancel while ${jobPhase(job)}`;
  const open = currentAttempt(job)?.outcome === "" ? { outcome: "Cancelled", reason: RECOVERY_REASONS.cancelled } : undefined;
  return { kind: "cancel", reason: RECOVERY_REASONS.cancelled, message, status: finish(job, "Cancelled", RECOVERY_REASONS.cancelled, message, now, open) };
}

/** A terminal status: phase, finishedAt, Failed=True with `reason`, the agent cleared, the open attempt closed. */
function finish(
  job: Job,
  phase: "Failed" | "Expired" | "Cancelled",
  reason: string,
  message: string,
  now: number,
  attemptEnd: { outcome: string; reason: string } | undefined,
): JobStatus {
  const status = job.status ?? {};
  const date = new Date(now);
  const at = formatTime(date);
  const rest: JobStatus = { ...status };
  delete rest.assignedAgent;
  delete rest.nextAttemptAt;
  delete rest.progress;
  return {
    ...rest,
    phase,
    queuedAt: status.queuedAt ?? job.metadata.creationTimestamp ?? at,
    finishedAt: at,
    ...(attemptEnd === undefined ? {} : { attempts: closeAttempt(status, attemptEnd, at) }),
    conditions: setCondition(status.conditions, { type: JOB_CONDITIONS.failed, status: "True", reason, message: message.slice(0, 1024) }, date),
  };
}

/** The attempt history with the current attempt's record closed (the agent's own facts kept). */
function closeAttempt(status: JobStatus, end: { outcome: string; reason: string }, at: string): JobAttempt[] {
  const attempts = status.attempts ?? [];
  const current = status.attempt;
  return attempts.map((a) =>
    a.attempt === current
      ? {
          ...a,
          outcome: a.outcome === "Failed" || a.outcome === "Released" ? a.outcome : end.outcome,
          reason: a.reason ?? end.reason,
          finishedAt: a.finishedAt ?? at,
        }
      : a,
  );
}

/** The reason of a terminal failure whose own reason is no CamelCase identifier. */
const TERMINAL_FALLBACK_REASON = "TerminalError";

/** Condition reasons must be CamelCase identifiers; anything else becomes `fallback`. */
function conditionReason(reason: string, fallback = "Finished"): string {
  return /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/.test(reason) ? reason : fallback;
}
