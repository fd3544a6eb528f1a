// The helios_* gauges as pure counts over the cached Jobs and Agents, computed at scrape time.
import { isTerminalJobPhase, type Agent, type JobPhase } from "../../api/index.js";
import { eligibleSinceOf, isLiveJob, jobPhase, phaseSinceOf, priorityOf, queueOf, type CachedJob } from "../shared/index.js";

/** One gauge sample: its labels and value. */
export interface Sample<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly value: number;
}

export interface JobGauges {
  /** helios_jobs{namespace,queue,phase}: every cached job by phase. */
  readonly jobs: Sample<"namespace" | "queue" | "phase">[];
  /** helios_queue_depth{namespace,queue,priority}: Pending jobs. */
  readonly queueDepth: Sample<"namespace" | "queue" | "priority">[];
  /** helios_queue_oldest_seconds{namespace,queue}: longest wait of an eligible Pending job (0 when all still wait for a time). */
  readonly queueOldest: Sample<"namespace" | "queue">[];
}

/** Counts over `jobs` at `now`. */
export function jobGauges(jobs: Iterable<CachedJob>, now: number): JobGauges {
  const byPhase = new Counts<"namespace" | "queue" | "phase">();
  const depth = new Counts<"namespace" | "queue" | "priority">();
  const oldest = new Map<string, Sample<"namespace" | "queue">>();
  for (const job of jobs) {
    const namespace = job.metadata.namespace ?? "";
    const queue = queueOf(job);
    const phase: JobPhase = jobPhase(job);
    byPhase.add({ namespace, queue, phase });
    if (phase !== "Pending" || job.metadata.deletionTimestamp !== undefined || !isLiveJob(job)) continue;
    depth.add({ namespace, queue, priority: priorityOf(job) });
    const since = eligibleSinceOf(job);
    const waited = since === undefined || since > now ? 0 : (now - since) / 1000;
    const key = `${namespace}/${queue}`;
    const seen = oldest.get(key);
    if (seen === undefined || waited > seen.value) oldest.set(key, { labels: { namespace, queue }, value: waited });
  }
  return { jobs: byPhase.samples(), queueDepth: depth.samples(), queueOldest: [...oldest.values()] };
}

/** helios_agents{namespace,phase}: agents by phase; `Unknown` before agent-health judged one. */
export function agentGauges(agents: Iterable<Agent>): Sample<"namespace" | "phase">[] {
  const counts = new Counts<"namespace" | "phase">();
  for (const agent of agents) counts.add({ namespace: agent.metadata.namespace ?? "", phase: agent.status?.phase ?? "Unknown" });
  return counts.samples();
}

/**
 * helios_agent_last_offline_timestamp_seconds{namespace}: when the namespace's most recently Offline
 * agent (of those Offline now) went Offline, in Unix seconds, from the persisted phase change; no
 * sample without Offline agents. The Offline alert compares it with time(), so it fires for agents
 * that went Offline recently and not for those waiting to be collected.
 */
export function lastOfflineGauges(agents: Iterable<Agent>): Sample<"namespace">[] {
  const latest = new Map<string, number>();
  for (const agent of agents) {
    if (agent.status?.phase !== "Offline") continue;
    const since = phaseSinceOf(agent);
    if (since === undefined) continue;
    const namespace = agent.metadata.namespace ?? "";
    latest.set(namespace, Math.max(latest.get(namespace) ?? since, since));
  }
  return [...latest].map(([namespace, since]) => ({ labels: { namespace }, value: since / 1000 }));
}

/** What one job update means for the trail and the run-time histogram. */
export interface JobTransition {
  /** The agent reported the attempt running (Assigned → Running). */
  readonly started: boolean;
  /** The job reached this terminal phase in this update. */
  readonly finished?: JobPhase;
  /** Seconds from start (or assignment) to finish, when both are known. */
  readonly runSeconds?: number;
}

/** Compares two versions of a job; undefined when nothing the observer cares about changed. */
export function jobTransition(oldJob: CachedJob, newJob: CachedJob): JobTransition | undefined {
  const from = jobPhase(oldJob);
  const to = jobPhase(newJob);
  if (from === to) return undefined;
  const started = to === "Running";
  if (!isTerminalJobPhase(to) || isTerminalJobPhase(from)) return started ? { started } : undefined;
  const begin = Date.parse(oldJob.status?.startedAt ?? oldJob.status?.assignedAt ?? "");
  const end = Date.parse(newJob.status?.finishedAt ?? "");
  const runSeconds = Number.isFinite(begin) && Number.isFinite(end) ? Math.max(0, end - begin) / 1000 : undefined;
  return runSeconds === undefined ? { started, finished: to } : { started, finished: to, runSeconds };
}

class Counts<L extends string> {
  readonly #map = new Map<string, Sample<L>>();

  add(labels: Readonly<Record<L, string>>): void {
    const key = Object.values(labels).join("\u0000");
    const seen = this.#map.get(key);
    this.#map.set(key, { labels, value: (seen?.value ?? 0) + 1 });
  }

  samples(): Sample<L>[] {
    return [...this.#map.values()];
  }
}
