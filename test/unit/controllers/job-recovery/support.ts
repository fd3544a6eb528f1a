// Builders for cached Job and Agent objects, shared by the controller unit tests.
import type { Agent, Job, JobStatus } from "../../../../src/api/index.js";

export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

let rv = 1;

export interface JobBuild {
  name?: string;
  namespace?: string;
  spec?: Partial<Job["spec"]>;
  status?: JobStatus;
  created?: number;
}

/** A Job as the apiserver returns it (defaults applied). */
export function job(b: JobBuild = {}): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: {
      name: b.name ?? "j1",
      namespace: b.namespace ?? "ns",
      uid: `uid-${b.namespace ?? "ns"}-${b.name ?? "j1"}`,
      resourceVersion: String(rv++),
      generation: 1,
      creationTimestamp: iso(b.created ?? T0),
    },
    spec: {
      type: "echo",
      priority: "normal",
      queue: "default",
      retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 },
      ...b.spec,
    },
    ...(b.status === undefined ? {} : { status: b.status }),
  };
}

/** A job holding attempt `attempt` on `agent`, in `phase`. */
export function activeJob(phase: "Assigned" | "Running", b: JobBuild & { agent?: string; attempt?: number; assignedAt?: number; startedAt?: number; retries?: number } = {}): Job {
  const agent = b.agent ?? "a1";
  const attempt = b.attempt ?? 1;
  const assignedAt = iso(b.assignedAt ?? T0);
  return job({
    ...b,
    status: {
      phase,
      attempt,
      assignedAgent: agent,
      assignedAt,
      queuedAt: iso(T0),
      retries: b.retries ?? 0,
      ...(phase === "Running" ? { startedAt: iso(b.startedAt ?? b.assignedAt ?? T0) } : {}),
      attempts: [{ attempt, agent, outcome: "", assignedAt }],
      ...b.status,
    },
  });
}

export interface AgentBuild {
  name?: string;
  namespace?: string;
  phase?: "Ready" | "Offline" | "Draining" | "Quarantined";
  maxConcurrency?: number;
  queues?: string[];
  capabilities?: string[];
  drain?: boolean;
  labels?: Record<string, string>;
}

export function agent(b: AgentBuild = {}): Agent {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Agent",
    metadata: { name: b.name ?? "a1", namespace: b.namespace ?? "ns", uid: `agent-${b.name ?? "a1"}`, resourceVersion: String(rv++), ...(b.labels ? { labels: b.labels } : {}) },
    spec: {
      queues: b.queues ?? ["default"],
      maxConcurrency: b.maxConcurrency ?? 1,
      ...(b.capabilities ? { capabilities: b.capabilities } : {}),
      ...(b.drain === undefined ? {} : { drain: b.drain }),
    },
    status: { phase: b.phase ?? "Ready" },
  };
}
