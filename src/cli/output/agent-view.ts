// What `helios agents` shows for an Agent: running/max counted from Jobs, heartbeat from its Lease, quarantine.
import { isTerminalJobPhase, jobPhase, parseTime, type Agent, type Job } from "../../api/index.js";
import type { Lease } from "../../runtime/client/index.js";
import { ageOf, durationCell, humanDuration } from "./durations.js";
import { formatColumns, type Column } from "./table.js";

/** One Agent as the CLI presents it. JSON/YAML print this. */
export interface AgentView {
  readonly namespace: string;
  readonly name: string;
  /** `status.phase`, or `Unknown` before the operator first wrote it. */
  readonly phase: string;
  readonly capabilities: readonly string[];
  readonly queues: readonly string[];
  /** Jobs Assigned or Running on the agent, counted from the Jobs themselves (not status.runningJobs). */
  readonly running: number;
  readonly maxConcurrency: number;
  readonly drain: boolean;
  /** Last Lease renewal (the heartbeat), else status.lastHeartbeatTime. */
  readonly lastHeartbeat?: string;
  readonly heartbeatSource?: "lease" | "status";
  readonly quarantinedUntil?: string;
  readonly consecutiveFailures: number;
  readonly agentVersion?: string;
  readonly createdAt?: string;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Jobs in flight (Assigned or Running) per `namespace/agent`. */
export function inflightByAgent(jobs: readonly Job[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const job of jobs) {
    const agent = job.status?.assignedAgent;
    const phase = jobPhase(job);
    if (!agent || isTerminalJobPhase(phase) || phase === "Pending") continue;
    const k = key(job.metadata.namespace ?? "", agent);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** The heartbeat Lease of each agent: same namespace and name (docs: the agent renews it). */
export function leasesByAgent(leases: readonly Lease[]): Map<string, Lease> {
  return new Map(leases.map((l) => [key(l.metadata.namespace ?? "", l.metadata.name ?? ""), l]));
}

/** The view of each agent, with counts from `jobs` and heartbeats from `leases`. */
export function agentViews(agents: readonly Agent[], jobs: readonly Job[], leases: readonly Lease[]): AgentView[] {
  const inflight = inflightByAgent(jobs);
  const byAgent = leasesByAgent(leases);
  return agents.map((agent) => {
    const namespace = agent.metadata.namespace ?? "";
    const name = agent.metadata.name ?? "";
    const status = agent.status;
    const renew = byAgent.get(key(namespace, name))?.spec?.renewTime;
    const heartbeat = renew ?? status?.lastHeartbeatTime;
    return {
      namespace,
      name,
      phase: status?.phase ?? "Unknown",
      capabilities: agent.spec.capabilities ?? [],
      queues: agent.spec.queues,
      running: inflight.get(key(namespace, name)) ?? 0,
      maxConcurrency: agent.spec.maxConcurrency,
      drain: agent.spec.drain === true,
      ...(heartbeat ? { lastHeartbeat: heartbeat, heartbeatSource: renew ? "lease" : "status" } : {}),
      ...(status?.quarantinedUntil ? { quarantinedUntil: status.quarantinedUntil } : {}),
      consecutiveFailures: status?.consecutiveFailures ?? 0,
      ...(status?.agentVersion ? { agentVersion: status.agentVersion } : {}),
      ...(agent.metadata.creationTimestamp ? { createdAt: agent.metadata.creationTimestamp } : {}),
    };
  });
}

/** Sorted like kubectl: by namespace, then name. */
export function sortAgentViews(views: readonly AgentView[]): AgentView[] {
  return [...views].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** Time left in quarantine (`4m12s`), `-` when none is running. */
export function quarantineCell(view: AgentView, nowMs: number): string {
  const until = parseTime(view.quarantinedUntil);
  return until === undefined || until <= nowMs ? "-" : humanDuration(until - nowMs);
}

function phaseCell(v: AgentView): string {
  // spec.drain is the request; the phase shows Draining once the operator acted on it.
  return v.drain && v.phase !== "Draining" ? `${v.phase} (drain requested)` : v.phase;
}

const AGENT_COLUMNS = (namespaces: boolean, nowMs: number): Column<AgentView>[] => [
  ...(namespaces ? [{ header: "NAMESPACE", value: (v: AgentView) => v.namespace }] : []),
  { header: "NAME", value: (v) => v.name },
  { header: "PHASE", value: phaseCell },
  { header: "CAPABILITIES", value: (v) => v.capabilities.join(",") || "-" },
  { header: "QUEUES", value: (v) => v.queues.join(",") },
  { header: "RUNNING", value: (v) => `${v.running}/${v.maxConcurrency}` },
  { header: "HEARTBEAT", value: (v) => (v.lastHeartbeat === undefined ? "-" : `${ageOf(v.lastHeartbeat, nowMs)} ago`) },
  { header: "QUARANTINE", value: (v) => quarantineCell(v, nowMs) },
  { header: "FAILURES", value: (v) => String(v.consecutiveFailures), wide: true },
  { header: "QUARANTINED-UNTIL", value: (v) => v.quarantinedUntil ?? "-", wide: true },
  { header: "VERSION", value: (v) => v.agentVersion ?? "-", wide: true },
  { header: "AGE", value: (v) => durationCell(v.createdAt === undefined ? undefined : nowMs - (parseTime(v.createdAt) ?? nowMs)) },
];

/** `helios agents` as a table. */
export function formatAgentTable(views: readonly AgentView[], options: { readonly namespaces: boolean; readonly wide: boolean; readonly nowMs: number }): string {
  return formatColumns(AGENT_COLUMNS(options.namespaces, options.nowMs), views, options.wide);
}
