// The job indexes the controllers share: active jobs by agent, every agent a job has used, jobs by phase.
import { jobPhase, type JobPhase } from "../../api/index.js";
import type { Indexers } from "../../runtime/cache/index.js";
import type { CachedJob } from "./cached-jobs.js";

/** Index names on `informers.jobs.store.byIndex(name, value)`. */
export const JOB_INDEX = {
  /**
   * `namespace/agent` → every job whose current or past attempts went to that agent (the agent-health
   * circuit breaker reads attempt outcomes through it; same values as agent-health's `jobAgentKeys`).
   */
  byAgent: "byAgent",
  /** `namespace/agent` → jobs Assigned to or Running on that agent now (they hold its capacity). */
  activeByAgent: "activeByAgent",
  /** Phase → jobs; a job without status files under `Pending` (it is Pending until written). */
  byPhase: "byPhase",
} as const;

/** Assigned or Running: the job holds a slot on its agent and in its queue. */
export function isActivePhase(phase: JobPhase): boolean {
  return phase === "Assigned" || phase === "Running";
}

/** The `namespace/agent` value the agent indexes use. */
export function agentIndexKey(namespace: string, agent: string): string {
  return `${namespace}/${agent}`;
}

export const JOB_INDEXERS: Indexers<CachedJob> = {
  [JOB_INDEX.byAgent]: (job) => {
    const ns = job.metadata.namespace;
    if (!ns) return [];
    const agents = new Set<string>();
    if (job.status?.assignedAgent) agents.add(job.status.assignedAgent);
    for (const a of job.status?.attempts ?? []) if (a.agent) agents.add(a.agent);
    return [...agents].map((a) => agentIndexKey(ns, a));
  },
  [JOB_INDEX.activeByAgent]: (job) => {
    const agent = job.status?.assignedAgent;
    const ns = job.metadata.namespace;
    return agent && ns && isActivePhase(jobPhase(job)) ? [agentIndexKey(ns, agent)] : [];
  },
  [JOB_INDEX.byPhase]: (job) => [jobPhase(job)],
};
