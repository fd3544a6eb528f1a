// What a watcher of Jobs is told: phase changes, progress and deletions, derived from the objects seen.
import { jobPhase, type Job, type JobPhase, type JobProgress } from "../api/index.js";

export type JobEvent =
  /** The Job was seen for the first time, or its phase changed. */
  | { readonly type: "phase"; readonly phase: JobPhase; readonly job: Job }
  /** The handler reported progress (phase unchanged). */
  | { readonly type: "progress"; readonly progress: JobProgress; readonly job: Job }
  /** The Job was deleted (or no longer matches the selection). */
  | { readonly type: "deleted"; readonly job: Job };

/** What is remembered of each Job between observations, by uid: the last object and its phase and progress. */
export type Seen = ReadonlyMap<string, { readonly job: Job; readonly phase: JobPhase; readonly progress: string }>;

/** A list or a watch event, as the observer delivers them. */
export type Observation = { readonly type: "listed"; readonly jobs: readonly Job[] } | { readonly type: "changed" | "deleted"; readonly job: Job };

/**
 * The events one observation means against what was seen before, and what is seen after it. A
 * list (the first, or a relist after the watch was lost) reports what changed while unobserved,
 * including Jobs that disappeared.
 */
export function eventsOf(seen: Seen, observation: Observation): { readonly events: JobEvent[]; readonly seen: Seen } {
  const next = new Map(seen);
  const events: JobEvent[] = [];
  const observe = (job: Job): void => {
    const uid = uidOf(job);
    const before = seen.get(uid);
    const now = { job, phase: jobPhase(job), progress: progressKey(job.status?.progress) };
    next.set(uid, now);
    if (before === undefined || before.phase !== now.phase) events.push({ type: "phase", phase: now.phase, job });
    else if (before.progress !== now.progress && job.status?.progress !== undefined) events.push({ type: "progress", progress: job.status.progress, job });
  };
  if (observation.type === "listed") {
    const listed = new Set(observation.jobs.map(uidOf));
    for (const job of observation.jobs) observe(job);
    for (const [uid, last] of seen) {
      if (!listed.has(uid)) {
        next.delete(uid);
        events.push({ type: "deleted", job: last.job });
      }
    }
  } else if (observation.type === "changed") {
    observe(observation.job);
  } else {
    next.delete(uidOf(observation.job));
    events.push({ type: "deleted", job: observation.job });
  }
  return { events, seen: next };
}

function uidOf(job: Job): string {
  return job.metadata.uid ?? `${job.metadata.namespace ?? ""}/${job.metadata.name ?? ""}`;
}

function progressKey(progress: JobProgress | undefined): string {
  return progress === undefined ? "" : `${progress.percent ?? ""}|${progress.message ?? ""}|${progress.updatedAt ?? ""}`;
}
