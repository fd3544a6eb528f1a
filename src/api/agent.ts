// The Agent kind: a worker process that takes Jobs from queues; its liveness comes from a Lease.
import { z } from "zod";
import { conditionsSchema } from "./conditions.js";
import {
  AGENT_LABEL,
  AGENT_PHASES,
  DEFAULT_AGENT_MAX_CONCURRENCY,
  DEFAULT_QUEUE,
  KINDS,
  LIMITS,
  PLURALS,
  SHORT_NAMES,
} from "./constants.js";
import { listSet } from "./k8s-extensions.js";
import { capabilitySchema, dnsLabelSchema, timestampSchema, type OwnerReference } from "./meta.js";
import { parseOrThrow, safeParse, type ParseResult } from "./parse.js";
import { AGE_COLUMN, objectSchema, type ResourceDefinition } from "./resource.js";

/**
 * Set to "true" on an agent's Lease while it drains on shutdown: agent-health shows it Draining so the
 * dispatcher sends no new work, without the agent writing its Agent object.
 */
export const AGENT_LEASE_DRAINING_ANNOTATION = "helios.dev/draining";

/** The label selector of agent heartbeat Leases (every Lease with {@link AGENT_LABEL}), for list and watch. */
export const AGENT_LEASE_SELECTOR = AGENT_LABEL;

/**
 * The Ready condition's reason (status True) while the circuit breaker is half-open after a quarantine:
 * the dispatcher gives such an agent at most one job at a time until one succeeds.
 */
export const AGENT_HALF_OPEN_REASON = "HalfOpen";

/** The Pod an agent runs in (same namespace as its Agent: Kubernetes has no cross-namespace owners). */
export interface AgentPod {
  readonly name: string;
  readonly uid: string;
}

/**
 * The owner reference an in-pod agent puts on its Agent, so Kubernetes' garbage collector deletes the
 * Agent (and, through it, its Lease) with the Pod. Not a controller reference, and it does not block
 * the Pod's deletion (blocking would need `update` on pods/finalizers, which agents are not given).
 */
export function podOwnerReference(pod: AgentPod): OwnerReference {
  return { apiVersion: "v1", kind: "Pod", name: pod.name, uid: pod.uid, controller: false, blockOwnerDeletion: false };
}

/** Whether a Pod owns the agent: then Kubernetes' garbage collector, not the operator, deletes it. */
export function isOwnedByPod(agent: { readonly metadata: { readonly ownerReferences?: readonly OwnerReference[] | undefined } }): boolean {
  return agent.metadata.ownerReferences?.some((o) => o.apiVersion === "v1" && o.kind === "Pod") ?? false;
}

export const agentSpecSchema = z
  .object({
    capabilities: listSet(z.array(capabilitySchema).max(LIMITS.capabilities))
      .optional()
      .describe("What this agent can do; a Job runs here only if it offers all requiredCapabilities."),
    queues: listSet(z.array(dnsLabelSchema).min(1).max(LIMITS.queues))
      .default([DEFAULT_QUEUE])
      .describe("Queues this agent takes Jobs from. Defaults to [default]."),
    maxConcurrency: z
      .int()
      .min(1)
      .max(LIMITS.agentMaxConcurrency)
      .default(DEFAULT_AGENT_MAX_CONCURRENCY)
      .describe(`Jobs this agent runs at once (1 to ${LIMITS.agentMaxConcurrency}, default 1).`),
    drain: z.boolean().optional().describe("Set to true to stop giving this agent new work; running Jobs finish."),
  })
  .describe("What the agent offers.");
export type AgentSpec = z.infer<typeof agentSpecSchema>;

export const agentStatusSchema = z
  .object({
    phase: z.enum(AGENT_PHASES).optional().describe("Ready, Offline, Draining or Quarantined."),
    lastPhaseTransitionTime: timestampSchema
      .optional()
      .describe("When the phase last changed; how long an Offline agent has been Offline (--agent-gc-after) is counted from it."),
    conditions: conditionsSchema.optional(),
    observedGeneration: z.int().min(0).optional().describe("The generation this status was computed from."),
    lastHeartbeatTime: timestampSchema
      .optional()
      .describe("Last Lease renewal the operator saw, as of the last phase change (heartbeats renew a Lease, not this)."),
    runningJobs: z.int().min(0).optional().describe("Jobs assigned to or running on this agent, as of the last phase change (`helios agents` counts them live)."),
    consecutiveFailures: z.int().min(0).optional().describe("Failed attempts in a row; too many quarantine the agent."),
    quarantinedUntil: timestampSchema
      .optional()
      .describe("End of the current (or last) quarantine cool-down; after it the agent is half-open until a job succeeds."),
    quarantineCount: z
      .int()
      .min(0)
      .optional()
      .describe("Quarantines in a row; each repeat within the offence window doubles the cool-down."),
    agentVersion: z.string().max(64).optional().describe("Version of the agent software."),
  })
  .describe("Observed state, written by the operator when the phase changes.");
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const agentSchema = objectSchema(KINDS.agent, agentSpecSchema, agentStatusSchema);
export type Agent = z.infer<typeof agentSchema>;
export type AgentInput = z.input<typeof agentSchema>;

export const parseAgent = (value: unknown): Agent => parseOrThrow(KINDS.agent, agentSchema, value);
export const safeParseAgent = (value: unknown): ParseResult<Agent> => safeParse(agentSchema, value);

export const agentResource: ResourceDefinition = {
  kind: KINDS.agent,
  plural: PLURALS.agent,
  singular: "agent",
  shortNames: [SHORT_NAMES.agent],
  description: "A Helios agent: a worker that runs Jobs from its queues; it heartbeats by renewing a Lease of the same name.",
  spec: agentSpecSchema,
  status: agentStatusSchema,
  printerColumns: [
    { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Ready, Offline, Draining or Quarantined." },
    { name: "Capabilities", type: "string", jsonPath: ".spec.capabilities", description: "Capabilities offered." },
    { name: "Max", type: "integer", jsonPath: ".spec.maxConcurrency", description: "Maximum concurrent Jobs." },
    AGE_COLUMN,
  ],
  selectableFields: [".status.phase"],
};
