// The statuses the dispatcher writes: Pending → Assigned, and why a job stays Pending (pure).
import { formatTime, findCondition, JOB_CONDITIONS, LIMITS, setCondition, type Job, type JobStatus } from "../../api/index.js";
import type { Unplaced } from "../../scheduling/index.js";

/** `Scheduled=True` reason on assignment. */
export const ASSIGNED_REASON = "Assigned";

/**
 * The status of `job` assigned to `agent` at `now`: attempt+1 (the fencing token), the agent, the
 * time, an open attempt record, `Scheduled=True` and no `Blocked`. Backoff and the previous
 * attempt's start and progress are cleared; `queuedAt` stays (it says when the wait began).
 */
export function assignedStatus(job: Job, agent: string, now: number): JobStatus {
  const prev: JobStatus = job.status ?? {};
  const attempt = (prev.attempt ?? 0) + 1;
  const at = formatTime(new Date(now));
  const attempts = [...(prev.attempts ?? []).filter((a) => a.attempt !== attempt), { attempt, agent, outcome: "", assignedAt: at }];
  const conditions = setCondition(
    prev.conditions,
    { type: JOB_CONDITIONS.scheduled, status: "True", reason: ASSIGNED_REASON, message: `Assigned to agent ${agent} (attempt ${attempt}).` },
    new Date(now),
  ).filter((c) => c.type !== JOB_CONDITIONS.blocked);
  // Drop what belonged to the previous attempt or to the wait.
  const rest: JobStatus = { ...prev };
  delete rest.nextAttemptAt;
  delete rest.startedAt;
  delete rest.progress;
  return {
    ...rest,
    phase: "Assigned",
    queuedAt: prev.queuedAt ?? job.metadata.creationTimestamp ?? at,
    attempt,
    assignedAgent: agent,
    assignedAt: at,
    attempts: attempts.slice(-LIMITS.attemptHistory),
    conditions,
    ...(job.metadata.generation === undefined ? {} : { observedGeneration: job.metadata.generation }),
  };
}

/**
 * The status saying why `job` stays Pending, or undefined when it already says so. Only the reason
 * (and whether it blocks) counts as a change: messages carry counts and times that move every
 * cycle, and rewriting them would cost a write per job per cycle.
 */
export function unplacedStatus(job: Job, unplaced: Unplaced, now: number): JobStatus | undefined {
  const prev: JobStatus = job.status ?? {};
  const scheduled = findCondition(prev.conditions, JOB_CONDITIONS.scheduled);
  const blocked = findCondition(prev.conditions, JOB_CONDITIONS.blocked);
  const blockedSays = blocked?.status === "True" ? blocked.reason : undefined;
  const same =
    prev.phase === "Pending" &&
    scheduled?.status === "False" &&
    scheduled.reason === unplaced.reason &&
    blockedSays === (unplaced.blocked ? unplaced.reason : undefined);
  if (same) return undefined;
  const date = new Date(now);
  let conditions = setCondition(
    prev.conditions,
    { type: JOB_CONDITIONS.scheduled, status: "False", reason: unplaced.reason, message: unplaced.message },
    date,
  );
  conditions = unplaced.blocked
    ? setCondition(conditions, { type: JOB_CONDITIONS.blocked, status: "True", reason: unplaced.reason, message: unplaced.message }, date)
    : conditions.filter((c) => c.type !== JOB_CONDITIONS.blocked);
  return {
    ...prev,
    phase: "Pending",
    queuedAt: prev.queuedAt ?? job.metadata.creationTimestamp ?? formatTime(date),
    conditions,
    ...(job.metadata.generation === undefined ? {} : { observedGeneration: job.metadata.generation }),
  };
}
