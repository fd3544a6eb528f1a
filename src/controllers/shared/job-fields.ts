// Reading a cached Job's times and defaults the same way in every controller.
import { DEFAULT_PRIORITY, DEFAULT_QUEUE, type Job, type JobAttempt, type PriorityClass } from "../../api/index.js";

/** Epoch ms of an RFC 3339 timestamp; undefined when absent or unparseable. */
export function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** When the job last entered Pending: `status.queuedAt`, else its creation. */
export function queuedAtOf(job: Job): number | undefined {
  return parseTime(job.status?.queuedAt) ?? parseTime(job.metadata.creationTimestamp);
}

/** When a Pending job may first be assigned: the latest of queuedAt, notBefore and nextAttemptAt. */
export function eligibleSinceOf(job: Job): number | undefined {
  const times = [queuedAtOf(job), parseTime(job.spec.notBefore), parseTime(job.status?.nextAttemptAt)].filter(
    (t): t is number => t !== undefined,
  );
  return times.length === 0 ? undefined : Math.max(...times);
}

export function queueOf(job: Job): string {
  return job.spec.queue || DEFAULT_QUEUE;
}

export function priorityOf(job: Job): PriorityClass {
  return job.spec.priority ?? DEFAULT_PRIORITY;
}

/** The attempt record of the current attempt (`status.attempt`), if any. */
export function currentAttempt(job: Job): JobAttempt | undefined {
  const attempt = job.status?.attempt;
  if (attempt === undefined || attempt === 0) return undefined;
  return job.status?.attempts?.find((a) => a.attempt === attempt);
}
