// Effective priority: a class base plus an aging bonus per whole minute waited, with a starvation bound.
import type { PriorityClass, SchedulingJob } from "./types.js";

/** Base points per class. Higher runs first. Each class step is worth STEP minutes of waiting. */
export const PRIORITY_BASE: Readonly<Record<PriorityClass, number>> = {
  critical: 30,
  high: 20,
  normal: 10,
  low: 0,
};

/** Aging bonus in points per whole minute a job has been eligible. */
export const AGING_POINTS_PER_MINUTE = 1;

const MINUTE_MS = 60_000;

/**
 * How long after a job of class `waiting` became eligible another job of class `fresh` must have
 * become eligible to rank strictly BELOW it, whatever the time now.
 *
 * Derivation: rank(j, now) = base(j) + r * floor(age_j / 1 min), with r = AGING_POINTS_PER_MINUTE.
 * For a waiting job L and a fresher job H, age_L - age_H = d (the gap between their eligibleAt), and
 * floor(age_L) - floor(age_H) >= floor(d) in minutes. L ranks strictly above H when
 * r * (floor(age_L) - floor(age_H)) > base(H) - base(L), which floor(d) >= floor(delta / r) + 1
 * guarantees. So the window is (floor(delta / r) + 1) minutes, and 0 when L's class is not lower.
 */
export function overtakeWindowMs(waiting: PriorityClass, fresh: PriorityClass): number {
  const delta = PRIORITY_BASE[fresh] - PRIORITY_BASE[waiting];
  if (delta < 0) return 0;
  return (Math.floor(delta / AGING_POINTS_PER_MINUTE) + 1) * MINUTE_MS;
}

/**
 * The starvation bound, from the constants above: 31 minutes.
 *
 * Any job that becomes eligible STARVATION_BOUND_MS or more after a job L ranks strictly below L,
 * whatever its class. So however fast fresh critical work arrives, L is overtaken only by jobs that
 * became eligible before it or less than 31 minutes after it (the backlog it joined plus 31 minutes
 * of arrivals), a finite set: once the agents that could run L have taken that set, L is next.
 * Between adjacent classes the window is 11 minutes (`overtakeWindowMs`). Equal effective
 * priorities are ordered by namespace fairness, so a job arriving in the last minute of the window
 * may tie with L and go first; the window includes that minute.
 */
export const STARVATION_BOUND_MS = overtakeWindowMs("low", "critical");

/**
 * When a job may first be assigned: the latest of its queue time plus the dispatch delay,
 * `spec.notBefore` and `status.nextAttemptAt`. The dispatch delay counts from `queuedAt`, so a job
 * that waited out a longer notBefore or backoff is not delayed again.
 */
export function eligibleAt(job: Pick<SchedulingJob, "queuedAt" | "notBefore" | "nextAttemptAt">, dispatchDelayMs: number): number {
  return Math.max(job.queuedAt + Math.max(0, dispatchDelayMs), job.notBefore ?? -Infinity, job.nextAttemptAt ?? -Infinity);
}

/**
 * Effective priority at `now` of a job eligible since `since`: class base plus
 * AGING_POINTS_PER_MINUTE for each whole minute since. An integer, so jobs of one class that became
 * eligible within the same minute form a band that namespace fairness orders.
 */
export function effectivePriority(priority: PriorityClass, since: number, now: number): number {
  const minutes = Math.floor(Math.max(0, now - since) / MINUTE_MS);
  return PRIORITY_BASE[priority] + AGING_POINTS_PER_MINUTE * minutes;
}
