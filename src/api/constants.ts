// Group, version, kinds, phases, priority classes, condition types and size limits of the Helios API.

export const GROUP = "helios.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}` as const;
/** `kubectl get helios -A` lists every Helios object through this category. */
export const CATEGORY = "helios";
/**
 * Label on an agent's heartbeat Lease; its value is the agent's name. The operator lists and watches
 * only Leases that carry it, so other Leases in the cluster never reach its cache.
 */
export const AGENT_LABEL = `${GROUP}/agent`;

export const KINDS = {
  job: "Job",
  agent: "Agent",
  featureFlag: "FeatureFlag",
  featureFlagSet: "FeatureFlagSet",
  auditLog: "AuditLog",
} as const;

export const PLURALS = {
  job: "jobs",
  agent: "agents",
  featureFlag: "featureflags",
  featureFlagSet: "featureflagsets",
  auditLog: "auditlogs",
} as const;

export const SHORT_NAMES = {
  job: "hjob",
  agent: "hagent",
  featureFlag: "hflag",
  featureFlagSet: "hflagset",
  auditLog: "haudit",
} as const;

/** Every Job phase, in lifecycle order. Pending also covers backoff and notBefore waits. */
export const JOB_PHASES = ["Pending", "Assigned", "Running", "Succeeded", "Failed", "Expired", "Cancelled"] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

/** Phases a Job never leaves. */
export const TERMINAL_JOB_PHASES = ["Succeeded", "Failed", "Expired", "Cancelled"] as const satisfies readonly JobPhase[];
export type TerminalJobPhase = (typeof TERMINAL_JOB_PHASES)[number];

export function isTerminalJobPhase(phase: JobPhase | undefined): phase is TerminalJobPhase {
  return phase !== undefined && (TERMINAL_JOB_PHASES as readonly JobPhase[]).includes(phase);
}

export const AGENT_PHASES = ["Ready", "Offline", "Draining", "Quarantined"] as const;
export type AgentPhase = (typeof AGENT_PHASES)[number];

/** Priority classes, highest first. */
export const PRIORITY_CLASSES = ["critical", "high", "normal", "low"] as const;
export type PriorityClass = (typeof PRIORITY_CLASSES)[number];

export const FLAG_STATES = ["ENABLED", "DISABLED"] as const;
export type FlagState = (typeof FLAG_STATES)[number];

export const DEFAULT_PRIORITY: PriorityClass = "normal";
export const DEFAULT_QUEUE = "default";
export const DEFAULT_RETRY = { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } as const;
export const DEFAULT_AGENT_MAX_CONCURRENCY = 1;

/** Condition types on a Job; Complete and Failed mean what they mean on batch/v1 Jobs. */
export const JOB_CONDITIONS = {
  complete: "Complete",
  failed: "Failed",
  scheduled: "Scheduled",
  blocked: "Blocked",
} as const;

export const AGENT_CONDITIONS = { ready: "Ready" } as const;
export const FLAG_CONDITIONS = { valid: "Valid" } as const;

/**
 * Bounds written into the CRDs. They keep objects far below etcd's 1.5 MiB value limit and keep
 * the apiserver's estimated CEL cost within budget (CEL cost grows with list and string bounds).
 */
export const LIMITS = {
  /** Top-level keys of `spec.payload` and `status.result`; the apiserver enforces it (maxProperties). */
  payloadProperties: 64,
  /** Serialized size of `spec.payload` in bytes of JSON: Helios clients check it, the admission policy refuses more. */
  payloadBytes: 64 * 1024,
  /** Nesting depth of `spec.payload` and `status.result` (the object itself is level 1): Helios clients and agents check it, the admission policy refuses more. */
  jsonDepth: 32,
  /** Top-level keys of `status.result`. */
  resultProperties: 32,
  /** Serialized size of `status.result` in bytes of JSON: agents check it, the admission policy refuses more. */
  resultBytes: 16 * 1024,
  maxRetries: 100,
  /** One day: the longest backoff and the largest initial backoff. */
  maxBackoffSeconds: 86_400,
  /** Thirty days: running deadline, queue deadline and TTL. */
  maxDurationSeconds: 30 * 86_400,
  capabilities: 32,
  queues: 32,
  labelSelectorTerms: 16,
  selectorValues: 32,
  attemptHistory: 20,
  agentMaxConcurrency: 1000,
  conditions: 16,
  flagVariants: 64,
  flagMetadataEntries: 64,
  flagSetEvaluators: 64,
  /** flagd keys are free text; this bounds them like a label value's length times four. */
  flagKeyLength: 253,
  auditEntries: 500,
  messageLength: 1024,
} as const;
