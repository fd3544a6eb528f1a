// planDispatch: one scheduling cycle from a snapshot to assignments, reasons and the next wake-up.
import { fairOrder } from "./fairness.js";
import { AgentIndex } from "./placement.js";
import { effectivePriority, eligibleAt } from "./priority.js";
import { messages, UNPLACED_REASONS } from "./reasons.js";
import type {
  Assignment,
  DispatchPlan,
  JobFlagContext,
  SchedulingJob,
  SchedulingSnapshot,
  Unplaced,
  UnplacedReason,
} from "./types.js";

interface Ranked {
  readonly job: SchedulingJob;
  readonly since: number;
  readonly priority: number;
}

/**
 * Decides one dispatch cycle. Pure: the same snapshot gives the same plan.
 *
 * Flow, per job (each job appears once in `assignments`, `unplaced` or `deferred`; duplicate keys
 * after the first are ignored):
 * 1. `dispatchPaused` → nothing is assigned; every job gets `DispatchPaused`.
 * 2. `killSwitch(job)` → `KillSwitch` (blocked).
 * 3. Not yet eligible (see `eligibleAt`: queuedAt + dispatchDelayMs, notBefore, nextAttemptAt) →
 *    `NotBefore` / `BackoffWait` / `DispatchDelay`, and `nextWakeAt` is the earliest such time.
 * 4. Eligible jobs are ranked by effective priority (highest first); within equal priority,
 *    namespaces are interleaved by `fairOrder`, and each namespace's jobs go oldest first (then by key).
 * 5. In that order: past `maxAssignments` → `deferred`; queue at `queueMaxInflight` →
 *    `QueueAtCapacity`; otherwise the least-loaded matching agent with free capacity takes it, or
 *    the job gets the reason none could (`NoCapableAgent`, `NoAgentForQueue`, `NoMatchingAgent`,
 *    `NoReadyAgent`, `NoFreeCapacity`).
 *
 * Guarantees: an agent never gets more than capacity - running jobs (capacity =
 * min(spec.maxConcurrency, helios-agent-max-concurrency)); only Ready, non-draining, non-quarantined
 * agents of the job's namespace that serve its queue, have its capabilities and match its selector
 * are chosen; a queue never exceeds its in-flight cap through this cycle's assignments.
 */
export function planDispatch(snapshot: SchedulingSnapshot): DispatchPlan {
  const { now, flags } = snapshot;
  const jobs = uniqueByKey(snapshot.jobs);
  const unplaced: Unplaced[] = [];
  const unplace = (job: SchedulingJob, reason: UnplacedReason, message: string, at?: number): void => {
    const entry: Unplaced = { jobKey: job.key, reason, message, blocked: UNPLACED_REASONS[reason].blocked };
    unplaced.push(at === undefined ? entry : { ...entry, eligibleAt: at });
  };

  if (flags.dispatchPaused) {
    for (const job of jobs) unplace(job, "DispatchPaused", messages.dispatchPaused());
    return { assignments: [], unplaced, deferred: [] };
  }

  // Flag callbacks may be real flag evaluations: ask once per distinct context.
  const killed = memo((job: SchedulingJob) => flags.killSwitch(jobContext(job)), jobContextKey);
  const delayMs = Math.max(0, flags.dispatchDelayMs);
  let nextWakeAt: number | undefined;
  const ranked: Ranked[] = [];
  for (const job of jobs) {
    if (killed(job)) {
      unplace(job, "KillSwitch", messages.killSwitch(job.type, job.queue));
      continue;
    }
    const since = eligibleAt(job, delayMs);
    if (since > now) {
      if (since === job.notBefore) unplace(job, "NotBefore", messages.notBefore(since), since);
      else if (since === job.nextAttemptAt) unplace(job, "BackoffWait", messages.backoffWait(since), since);
      else unplace(job, "DispatchDelay", messages.dispatchDelay(delayMs, since), since);
      nextWakeAt = nextWakeAt === undefined ? since : Math.min(nextWakeAt, since);
      continue;
    }
    ranked.push({ job, since, priority: effectivePriority(job.priority, since, now) });
  }
  ranked.sort(byRank);

  const inFlightByNamespace = new Map<string, number>();
  const inFlightByQueue = new Map<string, number>();
  for (const { namespace, queue, count } of snapshot.inFlight) {
    inFlightByNamespace.set(namespace, (inFlightByNamespace.get(namespace) ?? 0) + count);
    const key = queueKey(queue, namespace);
    inFlightByQueue.set(key, (inFlightByQueue.get(key) ?? 0) + count);
  }
  const queueCap = memo(
    (job: SchedulingJob) => flags.queueMaxInflight(job.queue, job.namespace),
    (job) => queueKey(job.queue, job.namespace),
  );
  const index = new AgentIndex(snapshot.agents, flags, now);
  const budget = snapshot.maxAssignments ?? Infinity;
  const assignments: Assignment[] = [];
  const deferred: string[] = [];

  for (let start = 0; start < ranked.length; ) {
    const priority = (ranked[start] as Ranked).priority;
    let end = start + 1;
    while (end < ranked.length && (ranked[end] as Ranked).priority === priority) end += 1;
    const band = ranked.slice(start, end);
    start = end;
    const inFlightOf = (ns: string): number => inFlightByNamespace.get(ns) ?? 0;
    for (const { job } of fairOrder(band, (r) => r.job.namespace, inFlightOf)) {
      if (assignments.length >= budget) {
        deferred.push(job.key);
        continue;
      }
      const qKey = queueKey(job.queue, job.namespace);
      const queueInFlight = inFlightByQueue.get(qKey) ?? 0;
      const cap = queueCap(job);
      if (cap !== undefined && queueInFlight >= cap) {
        unplace(job, "QueueAtCapacity", messages.queueAtCapacity(job.queue, job.namespace, queueInFlight, cap));
        continue;
      }
      const choice = index.choose(job);
      if ("reason" in choice) {
        unplace(job, choice.reason, choice.message);
        continue;
      }
      index.commit(choice);
      inFlightByQueue.set(qKey, queueInFlight + 1);
      inFlightByNamespace.set(job.namespace, inFlightOf(job.namespace) + 1);
      assignments.push({ jobKey: job.key, namespace: job.namespace, agentName: choice.agent.name, effectivePriority: priority });
    }
  }

  const plan: DispatchPlan = { assignments, unplaced, deferred };
  return nextWakeAt === undefined ? plan : { ...plan, nextWakeAt };
}

/** Highest effective priority first; then oldest eligible; then key, so the order is total. */
function byRank(a: Ranked, b: Ranked): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.since !== b.since) return a.since - b.since;
  return a.job.key < b.job.key ? -1 : a.job.key > b.job.key ? 1 : 0;
}

function uniqueByKey(jobs: readonly SchedulingJob[]): readonly SchedulingJob[] {
  const seen = new Set<string>();
  const out: SchedulingJob[] = [];
  for (const job of jobs) {
    if (seen.has(job.key)) continue;
    seen.add(job.key);
    out.push(job);
  }
  return out;
}

function jobContext(job: SchedulingJob): JobFlagContext {
  return { jobType: job.type, queue: job.queue, namespace: job.namespace, priority: job.priority };
}

function jobContextKey(job: SchedulingJob): string {
  return `${job.type}\u0000${job.queue}\u0000${job.namespace}\u0000${job.priority}`;
}

function queueKey(queue: string, namespace: string): string {
  return `${namespace}\u0000${queue}`;
}

function memo<A, R>(fn: (arg: A) => R, keyOf: (arg: A) => string): (arg: A) => R {
  const cache = new Map<string, R>();
  return (arg) => {
    const key = keyOf(arg);
    if (cache.has(key)) return cache.get(key) as R;
    const value = fn(arg);
    cache.set(key, value);
    return value;
  };
}
