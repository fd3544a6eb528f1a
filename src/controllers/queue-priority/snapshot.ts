// Maps cached Jobs, Agents and control flags onto the scheduling core's snapshot (pure).
import { AGENT_CONDITIONS, AGENT_HALF_OPEN_REASON, findCondition, type Agent, type Job } from "../../api/index.js";
import type { ControlFlags } from "../../api/index.js";
import type { LabelSelector as ApiLabelSelector } from "../../api/index.js";
import type { LabelSelector, SchedulingAgent, SchedulingFlags, SchedulingJob, SchedulingSnapshot } from "../../scheduling/index.js";
import { agentIndexKey, parseTime, priorityOf, queuedAtOf, queueOf } from "../shared/index.js";

/** A slot taken by an assignment this dispatcher wrote but the cache does not show yet. */
export interface HeldSlot {
  readonly namespace: string;
  readonly agent: string;
  readonly queue: string;
}

export interface SnapshotInput {
  /** Jobs to plan: Pending (or without status), not being deleted or cancelled. */
  readonly pending: readonly Job[];
  /** Assigned and Running jobs: they hold agent and queue capacity. */
  readonly active: readonly Job[];
  /** Slots held by assignments written but not yet cached. */
  readonly held: readonly HeldSlot[];
  readonly agents: readonly Agent[];
  readonly flags: SchedulingFlags;
  readonly now: number;
  readonly maxAssignments?: number;
}

/** The snapshot of one cycle. Running counts come from the job cache, never from Agent status (it lags). */
export function buildSnapshot(input: SnapshotInput): SchedulingSnapshot {
  const running = new Map<string, number>();
  const inFlight = new Map<string, { namespace: string; queue: string; count: number }>();
  const hold = (namespace: string, agent: string | undefined, queue: string): void => {
    if (agent !== undefined) {
      const key = agentIndexKey(namespace, agent);
      running.set(key, (running.get(key) ?? 0) + 1);
    }
    const qKey = `${namespace}/${queue}`;
    const entry = inFlight.get(qKey);
    if (entry === undefined) inFlight.set(qKey, { namespace, queue, count: 1 });
    else entry.count += 1;
  };
  for (const job of input.active) hold(job.metadata.namespace ?? "", job.status?.assignedAgent, queueOf(job));
  for (const slot of input.held) hold(slot.namespace, slot.agent, slot.queue);

  const agents = input.agents.map((a) => toSchedulingAgent(a, running.get(agentIndexKey(a.metadata.namespace ?? "", a.metadata.name ?? "")) ?? 0));
  const snapshot: SchedulingSnapshot = {
    now: input.now,
    jobs: input.pending.map((j) => toSchedulingJob(j, input.now)),
    agents,
    inFlight: [...inFlight.values()],
    flags: input.flags,
  };
  return input.maxAssignments === undefined ? snapshot : { ...snapshot, maxAssignments: input.maxAssignments };
}

/** A Pending job as the scheduler sees it; `now` stands in for a missing creation time. */
export function toSchedulingJob(job: Job, now: number): SchedulingJob {
  const namespace = job.metadata.namespace ?? "";
  const notBefore = parseTime(job.spec.notBefore);
  const nextAttemptAt = parseTime(job.status?.nextAttemptAt);
  return {
    key: `${namespace}/${job.metadata.name ?? ""}`,
    namespace,
    type: job.spec.type,
    queue: queueOf(job),
    priority: priorityOf(job),
    queuedAt: queuedAtOf(job) ?? now,
    requiredCapabilities: job.spec.requiredCapabilities ?? [],
    ...(job.spec.agentSelector === undefined ? {} : { agentSelector: toSchedulingSelector(job.spec.agentSelector) }),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }),
  };
}

/**
 * An agent as the scheduler sees it. An agent without status has not been judged by agent-health
 * yet (no heartbeat seen), so it counts as Offline until it is. While its circuit breaker is
 * half-open (Ready with reason HalfOpen, after a quarantine) it gets one job at a time.
 */
export function toSchedulingAgent(agent: Agent, running: number): SchedulingAgent {
  const quarantinedUntil = parseTime(agent.status?.quarantinedUntil);
  return {
    name: agent.metadata.name ?? "",
    namespace: agent.metadata.namespace ?? "",
    phase: agent.status?.phase ?? "Offline",
    drain: agent.spec.drain === true,
    ...(quarantinedUntil === undefined ? {} : { quarantinedUntil }),
    labels: agent.metadata.labels ?? {},
    capabilities: agent.spec.capabilities ?? [],
    queues: agent.spec.queues,
    maxConcurrency: isHalfOpen(agent) ? Math.min(1, agent.spec.maxConcurrency) : agent.spec.maxConcurrency,
    running,
  };
}

/** Resolves the control flags for one cycle: plain values now, callbacks per context. */
export function schedulingFlags(flags: ControlFlags): SchedulingFlags {
  return {
    dispatchPaused: flags.dispatchPaused(),
    killSwitch: (job) => flags.killSwitch({ jobType: job.jobType, queue: job.queue, namespace: job.namespace, priority: job.priority }),
    agentMaxConcurrency: (agent) => flags.agentMaxConcurrency({ agent: agent.agent, namespace: agent.namespace, agentLabels: agent.labels }),
    queueMaxInflight: (queue, namespace) => flags.queueMaxInflight({ queue, namespace }),
    dispatchDelayMs: flags.dispatchDelayMs(),
  };
}

/** The API's selector (optional fields may hold undefined) as the core's type. */
function toSchedulingSelector(selector: ApiLabelSelector): LabelSelector {
  return {
    ...(selector.matchLabels === undefined ? {} : { matchLabels: selector.matchLabels }),
    ...(selector.matchExpressions === undefined
      ? {}
      : {
          matchExpressions: selector.matchExpressions.map((r) => (r.values === undefined ? { key: r.key, operator: r.operator } : { key: r.key, operator: r.operator, values: r.values })),
        }),
  };
}

function isHalfOpen(agent: Agent): boolean {
  const ready = findCondition(agent.status?.conditions, AGENT_CONDITIONS.ready);
  return ready?.status === "True" && ready.reason === AGENT_HALF_OPEN_REASON;
}
