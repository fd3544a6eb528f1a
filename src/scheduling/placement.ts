// Agent matching and choice for one cycle: an index of agents by namespace and queue, least-loaded pick.
import { MinHeap } from "./heap.js";
import { messages, UNPLACED_REASONS } from "./reasons.js";
import { formatSelector, matchesSelector, selectorKey } from "./selector.js";
import type { AgentFlagContext, SchedulingAgent, SchedulingFlags, SchedulingJob, UnplacedReason } from "./types.js";

/** An agent's state during one cycle. `used` grows as the cycle places jobs on it. */
export interface AgentSlot {
  readonly agent: SchedulingAgent;
  readonly capabilities: ReadonlySet<string>;
  readonly queues: ReadonlySet<string>;
  /** min(spec.maxConcurrency, helios-agent-max-concurrency). */
  readonly capacity: number;
  /** Ready, not draining, not quarantined. */
  readonly schedulable: boolean;
  used: number;
}

/** Why a job found no agent. */
export interface NoPlacement {
  readonly reason: UnplacedReason;
  readonly message: string;
  readonly blocked: boolean;
}

/** True when the agent may take new work at `now`: Ready, not draining, not (still) quarantined. */
export function isSchedulable(agent: SchedulingAgent, now: number): boolean {
  return agent.phase === "Ready" && !agent.drain && !(agent.quarantinedUntil !== undefined && agent.quarantinedUntil > now);
}

/** Effective capacity: min(spec.maxConcurrency, flag cap), never negative; non-finite or bad values count as 0. */
export function agentCapacity(agent: SchedulingAgent, flagCap: number | undefined): number {
  const cap = flagCap === undefined ? agent.maxConcurrency : Math.min(agent.maxConcurrency, flagCap);
  return Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : 0;
}

/** True when the agent has every capability, serves the queue and satisfies the selector. */
export function agentMatches(slot: AgentSlot, job: SchedulingJob): boolean {
  return (
    slot.queues.has(job.queue) &&
    job.requiredCapabilities.every((c) => slot.capabilities.has(c)) &&
    matchesSelector(job.agentSelector, slot.agent.labels)
  );
}

// A heap entry remembers the `used` it was keyed with; a popped entry whose slot has moved on is
// stale and is pushed again with its current load. Loads only grow within a cycle, so the first
// fresh entry popped is the true least-loaded agent (lazy decrease-key).
interface Entry {
  readonly slot: AgentSlot;
  used: number;
}

const lessLoaded = (a: Entry, b: Entry): boolean => {
  // Compare used/capacity without division: a.used/a.cap < b.used/b.cap.
  const la = a.used * b.slot.capacity;
  const lb = b.used * a.slot.capacity;
  if (la !== lb) return la < lb;
  if (a.used !== b.used) return a.used < b.used;
  return a.slot.agent.name < b.slot.agent.name;
};

/** Agents that can run one job signature (namespace, queue, capabilities, selector), least loaded on top. */
interface Candidates {
  /** Schedulable matching agents with capacity > 0, before any placement this cycle. */
  readonly matching: number;
  readonly heap: MinHeap<Entry>;
  /** Set when `matching` is 0: the static reason, computed once per signature. */
  readonly none?: NoPlacement;
  /** Once every candidate is full it stays full for the cycle: the shared answer. */
  full?: NoPlacement;
}

/** The agents serving one queue in one namespace, and the candidates per job signature among them. */
interface Bucket {
  readonly slots: AgentSlot[];
  readonly signatures: Map<string, Candidates>;
}

/**
 * The agents of one cycle, bucketed by namespace and queue, with a per-signature cache of
 * candidates. Jobs with the same signature share a least-loaded heap, so placing J jobs costs
 * O(J log A_candidates) after each signature's candidates are found once.
 */
export class AgentIndex {
  private readonly byNamespace = new Map<string, AgentSlot[]>();
  private readonly buckets = new Map<string, Map<string, Bucket>>();

  constructor(agents: readonly SchedulingAgent[], flags: Pick<SchedulingFlags, "agentMaxConcurrency">, now: number) {
    const seen = new Set<string>();
    for (const agent of agents) {
      const id = `${agent.namespace}/${agent.name}`;
      if (seen.has(id)) continue; // a duplicate in the snapshot must not double the capacity
      seen.add(id);
      const ctx: AgentFlagContext = { agent: agent.name, namespace: agent.namespace, labels: agent.labels };
      const slot: AgentSlot = {
        agent,
        capabilities: new Set(agent.capabilities),
        queues: new Set(agent.queues),
        capacity: agentCapacity(agent, flags.agentMaxConcurrency(ctx)),
        schedulable: isSchedulable(agent, now),
        used: Math.max(0, agent.running),
      };
      push(this.byNamespace, agent.namespace, slot);
      for (const queue of slot.queues) this.bucket(agent.namespace, queue).slots.push(slot);
    }
  }

  /** The least-loaded agent that can take the job now, or why there is none. Call `commit` if it is used. */
  choose(job: SchedulingJob): AgentSlot | NoPlacement {
    const candidates = this.candidates(job);
    if (candidates.none !== undefined) return candidates.none;
    if (candidates.full !== undefined) return candidates.full;
    const heap = candidates.heap;
    for (let top = heap.pop(); top !== undefined; top = heap.pop()) {
      const slot = top.slot;
      if (slot.used >= slot.capacity) continue; // full for the rest of the cycle: drop it
      if (top.used !== slot.used) {
        top.used = slot.used;
        heap.push(top);
        continue;
      }
      // Put it back now; `commit` raises `used`, which makes this entry stale and re-keyed later.
      heap.push(top);
      return slot;
    }
    candidates.full = {
      reason: "NoFreeCapacity",
      message: messages.noFreeCapacity(candidates.matching),
      blocked: UNPLACED_REASONS.NoFreeCapacity.blocked,
    };
    return candidates.full;
  }

  /** Records a placement on `slot`. */
  commit(slot: AgentSlot): void {
    slot.used += 1;
  }

  private bucket(namespace: string, queue: string): Bucket {
    let byQueue = this.buckets.get(namespace);
    if (byQueue === undefined) this.buckets.set(namespace, (byQueue = new Map<string, Bucket>()));
    let bucket = byQueue.get(queue);
    if (bucket === undefined) byQueue.set(queue, (bucket = { slots: [], signatures: new Map() }));
    return bucket;
  }

  private candidates(job: SchedulingJob): Candidates {
    const bucket = this.bucket(job.namespace, job.queue);
    const key = signatureKey(job);
    let found = bucket.signatures.get(key);
    if (found === undefined) {
      found = this.findCandidates(job, bucket.slots);
      bucket.signatures.set(key, found);
    }
    return found;
  }

  private findCandidates(job: SchedulingJob, slots: readonly AgentSlot[]): Candidates {
    const heap = new MinHeap<Entry>(lessLoaded);
    let matching = 0;
    for (const slot of slots) {
      if (slot.schedulable && slot.capacity > 0 && agentMatches(slot, job)) {
        heap.push({ slot, used: slot.used });
        matching += 1;
      }
    }
    if (matching > 0) return { matching, heap };
    return { matching, heap, none: this.diagnose(job) };
  }

  // Runs once per signature with no candidate, so a full namespace scan is affordable here.
  private diagnose(job: SchedulingJob): NoPlacement {
    const no = (reason: UnplacedReason, message: string): NoPlacement => ({
      reason,
      message,
      blocked: UNPLACED_REASONS[reason].blocked,
    });
    const all = this.byNamespace.get(job.namespace) ?? [];
    if (all.length === 0) return no("NoCapableAgent", messages.noAgents(job.namespace));
    // Sorted, so that jobs sharing this signature get the same message whatever order they list them in.
    const required = [...job.requiredCapabilities].sort();
    const capable = all.filter((s) => required.every((c) => s.capabilities.has(c)));
    if (capable.length === 0) {
      const missing = required.filter((c) => !all.some((s) => s.capabilities.has(c)));
      return no(
        "NoCapableAgent",
        missing.length > 0
          ? messages.missingCapability(job.namespace, missing)
          : messages.noSingleCapableAgent(job.namespace, required),
      );
    }
    const onQueue = capable.filter((s) => s.queues.has(job.queue));
    if (onQueue.length === 0) return no("NoAgentForQueue", messages.noAgentForQueue(job.namespace, job.queue));
    const selected = onQueue.filter((s) => matchesSelector(job.agentSelector, s.agent.labels));
    if (selected.length === 0) return no("NoMatchingAgent", messages.noMatchingAgent(job.queue, formatSelector(job.agentSelector)));
    const ready = selected.filter((s) => s.schedulable);
    if (ready.length === 0) return no("NoReadyAgent", messages.noReadyAgent(selected.length, describeUnavailable(selected)));
    // Ready matching agents exist but every one is capped to zero.
    return no("NoFreeCapacity", messages.noFreeCapacity(ready.length));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Within one bucket (namespace and queue), jobs with equal keys have exactly the same candidate
 * agents. The common cases (no selector, at most one capability) reuse the job's own strings, so
 * the lookup builds no new string.
 */
function signatureKey(job: SchedulingJob): string {
  const caps = job.requiredCapabilities;
  let capKey: string;
  if (caps.length <= 1) capKey = caps[0] ?? "";
  else if (caps.length === 2) capKey = (caps[0] as string) < (caps[1] as string) ? `${caps[0]}\u0001${caps[1]}` : `${caps[1]}\u0001${caps[0]}`;
  else capKey = [...caps].sort().join("\u0001");
  const selector = selectorKey(job.agentSelector);
  return selector === "" ? capKey : `${capKey}\u0000${selector}`;
}

/** e.g. `2 Offline, 1 draining`, sorted so that the snapshot's agent order does not change it. */
function describeUnavailable(slots: readonly AgentSlot[]): string {
  const counts = new Map<string, number>();
  for (const { agent } of slots) {
    const why = agent.phase !== "Ready" ? agent.phase : agent.drain ? "draining" : "quarantined";
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([why, n]) => `${n} ${why}`)
    .join(", ");
}
