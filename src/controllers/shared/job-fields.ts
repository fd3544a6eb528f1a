// Reading a cached Job's times and defaults the same way in every controller.
import { DEFAULT_PRIORITY, DEFAULT_QUEUE, parseTime, type Job, type JobAttempt, type PriorityClass } from "../../api/index.js";
import { eligibleAt } from "../../scheduling/index.js";
import type { CachedJob } from "./cached-jobs.js";

/** When the job last entered Pending: `status.queuedAt`, else its creation. */
export function queuedAtOf(job: Job): number | undefined {
  return parseTime(job.status?.queuedAt) ?? parseTime(job.metadata.creationTimestamp);
}

/** When a Pending job may first be assigned, without the dispatch delay (scheduling's `eligibleAt`); undefined without any time. */
export function eligibleSinceOf(job: Job): number | undefined {
  const notBefore = parseTime(job.spec.notBefore);
  const nextAttemptAt = parseTime(job.status?.nextAttemptAt);
  const since = eligibleAt(
    { queuedAt: queuedAtOf(job) ?? -Infinity, ...(notBefore === undefined ? {} : { notBefore }), ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }) },
    0,
  );
  return since === -Infinity ? undefined : since;
}

export function queueOf(job: CachedJob): string {
  return job.spec.queue || DEFAULT_QUEUE;
}

export function priorityOf(job: CachedJob): PriorityClass {
  return job.spec.priority ?? DEFAULT_PRIORITY;
}

/** The attempt record of the current attempt (`status.attempt`), if any. */
export function currentAttempt(job: Job): JobAttempt | undefined {
  const attempt = job.status?.attempt;
  if (attempt === undefined || attempt === 0) return undefined;
  return job.status?.attempts?.find((a) => a.attempt === attempt);
}
