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
    const blocked = UNPLACED_REASONS[reason].blocked;
    unplaced.push(at === undefined ? { jobKey: job.key, reason, message, blocked } : { jobKey: job.key, reason, message, blocked, eligibleAt: at });
  };

  if (flags.dispatchPaused) {
    for (const job of jobs) unplace(job, "DispatchPaused", messages.dispatchPaused());
    return { assignments: [], unplaced, deferred: [] };
  }

  // Flag callbacks may be real flag evaluations: ask once per distinct context.
  const killSwitch = new KeyTree<boolean>();
  const killed = (job: SchedulingJob): boolean =>
    killSwitch.get(job.type, job.queue, job.namespace, job.priority, () => flags.killSwitch(jobContext(job)));
  // A misconfigured flag (negative, NaN) means no delay rather than poisoning every job's rank.
  const delayMs = Number.isFinite(flags.dispatchDelayMs) && flags.dispatchDelayMs > 0 ? flags.dispatchDelayMs : 0;
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

  const tenants = new Tenants(snapshot.inFlight, flags);
  const inFlightOf = (ns: string): number => tenants.tenant(ns).inFlight;
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
    for (const { job } of fairOrder(band, namespaceOfRanked, inFlightOf)) {
      if (assignments.length >= budget) {
        deferred.push(job.key);
        continue;
      }
      const tenant = tenants.tenant(job.namespace);
      const queue = tenants.queue(tenant, job.queue);
      if (queue.cap !== undefined && queue.inFlight >= queue.cap) {
        unplace(job, "QueueAtCapacity", messages.queueAtCapacity(job.queue, job.namespace, queue.inFlight, queue.cap));
        continue;
      }
      const choice = index.choose(job);
      if ("reason" in choice) {
        unplace(job, choice.reason, choice.message);
        continue;
      }
      index.commit(choice);
      queue.inFlight += 1;
      tenant.inFlight += 1;
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

const namespaceOfRanked = (r: Ranked): string => r.job.namespace;

/** Assigned+Running counts of one queue in one namespace, and its helios-queue-max-inflight cap. */
interface QueueState {
  inFlight: number;
  readonly cap: number | undefined;
}

/** A namespace's in-flight total (for fairness) and its queues. */
interface Tenant {
  readonly namespace: string;
  inFlight: number;
  readonly queues: Map<string, QueueState>;
}

/** In-flight counts per namespace and queue, updated as the cycle assigns. */
class Tenants {
  private readonly byNamespace = new Map<string, Tenant>();

  constructor(
    inFlight: SchedulingSnapshot["inFlight"],
    private readonly flags: Pick<SchedulingSnapshot["flags"], "queueMaxInflight">,
  ) {
    for (const { namespace, queue, count } of inFlight) {
      const tenant = this.tenant(namespace);
      tenant.inFlight += count;
      this.queue(tenant, queue).inFlight += count;
    }
  }

  tenant(namespace: string): Tenant {
    let tenant = this.byNamespace.get(namespace);
    if (tenant === undefined) {
      tenant = { namespace, inFlight: 0, queues: new Map() };
      this.byNamespace.set(namespace, tenant);
    }
    return tenant;
  }

  queue(tenant: Tenant, name: string): QueueState {
    let queue = tenant.queues.get(name);
    if (queue === undefined) {
      queue = { inFlight: 0, cap: this.flags.queueMaxInflight(name, tenant.namespace) };
      tenant.queues.set(name, queue);
    }
    return queue;
  }
}

/** A four-level map for memoising a callback per tuple of strings without building key strings. */
class KeyTree<V> {
  private readonly root = new Map<string, Map<string, Map<string, Map<string, V>>>>();

  get(a: string, b: string, c: string, d: string, compute: () => V): V {
    let m1 = this.root.get(a);
    if (m1 === undefined) this.root.set(a, (m1 = new Map<string, Map<string, Map<string, V>>>()));
    let m2 = m1.get(b);
    if (m2 === undefined) m1.set(b, (m2 = new Map<string, Map<string, V>>()));
    let m3 = m2.get(c);
    if (m3 === undefined) m2.set(c, (m3 = new Map<string, V>()));
    if (m3.has(d)) return m3.get(d) as V;
    const value = compute();
    m3.set(d, value);
    return value;
  }
}
