// Builders for Jobs, Agents, Leases and FeatureFlags as the apiserver returns them (defaults applied).
import type { Agent, FeatureFlag, Job, JobStatus } from "../../../../src/api/index.js";
import type { Lease } from "../../../../src/runtime/client/index.js";

export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

export function job(
  name: string,
  status: JobStatus | undefined,
  spec: Partial<Job["spec"]> = {},
  meta: { namespace?: string; createdMs?: number } = {},
): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace: meta.namespace ?? "team-a", creationTimestamp: at(meta.createdMs ?? 0), uid: `uid-${name}` },
    spec: {
      type: "echo",
      priority: "normal",
      queue: "default",
      retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 },
      ...spec,
    },
    ...(status === undefined ? {} : { status }),
  };
}

/** `status: null` builds an Agent the operator has not written yet. */
export function agent(name: string, spec: Partial<Agent["spec"]> = {}, status: Agent["status"] | null = { phase: "Ready" }, namespace = "team-a"): Agent {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Agent",
    metadata: { name, namespace, creationTimestamp: at(0) },
    spec: { queues: ["default"], maxConcurrency: 2, ...spec },
    ...(status === null || status === undefined ? {} : { status }),
  };
}

export function lease(name: string, renewMs: number, namespace = "team-a"): Lease {
  return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec: { renewTime: at(renewMs) } };
}

export function flag(name: string, spec: FeatureFlag["spec"], status?: FeatureFlag["status"], generation = 1): FeatureFlag {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "FeatureFlag",
    metadata: { name, namespace: "helios-system", generation, uid: `uid-${name}` },
    spec,
    ...(status === undefined ? {} : { status }),
  };
}
