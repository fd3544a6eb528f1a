// agent-health: Agents + their Leases → Agent phase (Ready, Offline, Draining, Quarantined), judged on the
// operator's own clock, with a circuit breaker over the agent's failed attempts. Job recovery reads the
// phase it writes; this controller never writes jobs. Out of a pod, it deletes an agent Offline past
// --agent-gc-after; in a pod, Kubernetes' garbage collector deletes the Agent with its Pod.
export {
  AGENT_REASONS,
  attemptOutcomes,
  breakerState,
  consecutiveFailures,
  cooldownMs,
  decideAgentHealth,
  DEFAULT_AGENT_HEALTH_CONFIG,
  effectiveStaleTimeoutMs,
  judgeLiveness,
  minimumStaleTimeoutMs,
  runningJobs,
  staleTimeoutRaise,
  staleTimeoutRaiseMessage,
  type AgentHealthConfig,
  type AgentHealthDecision,
  type AgentHealthInput,
  type AgentReason,
  type AgentTransition,
  type AttemptOutcome,
  type BreakerState,
  type LeaseView,
  type Liveness,
  type StaleTimeoutRaise,
} from "./decide.js";
export {
  AGENT_DELETED_REASON,
  decideAgentCollection,
  type AgentCollectionDecision,
  type AgentCollectionInput,
  type AgentKeepReason,
} from "./collect.js";
export { LeaseTracker } from "./lease-tracker.js";
export { AGENT_HEALTH_CONTROLLER, AgentHealthReconciler, type AgentHealthDeps } from "./reconciler.js";
export {
  agentHealthController,
  agentHealthRegistration,
  createAgentHealthController,
  jobAgentKeys,
  JOBS_BY_AGENT_INDEX,
  type AgentHealthSetup,
  type CachedSource,
} from "./setup.js";
