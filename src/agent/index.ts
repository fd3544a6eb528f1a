// The agent SDK: `createAgent` registers an Agent, heartbeats through its Lease, watches only its own
// Jobs and runs them with handlers, following docs/job-lifecycle.md (lazy ack, fenced writes, facts not
// decisions, drain hands work back). Built-in handlers for `helios agent` live in ./handlers.
// `registerAgentMetrics` is imported from ./metrics.js on its own, so agents without metrics do not load
// prom-client (~9 MB of RSS). `loadClusterAccess` finds the cluster as kubectl does without loading
// @kubernetes/client-node unless the kubeconfig needs it (exec or auth-provider users).
export { AGENT_FIELD_MANAGER, createAgent } from "./agent.js";
export { AgentConfigError, AttemptAbortedError, HandlerError, TerminalError, type AbortCause } from "./errors.js";
export { builtinHandlers, echo, execHandler, fail, sleep, type ExecOptions } from "./handlers/index.js";
export { boundResult, type BoundedResult } from "./result.js";
export {
  AGENT_ERROR_REASONS,
  AGENT_OUTCOMES,
  attemptFactStatus,
  boundProgress,
  holdsFence,
  runningStatus,
  succeededStatus,
  type AgentOutcome,
  type Fence,
} from "./status-updates.js";
export { LatestWinsThrottle } from "./throttle.js";
export { KubeconfigError, loadClusterAccess, type LoadClusterAccessOptions, type LoadedClusterAccess } from "../runtime/kubeconfig/index.js";
export type { ClusterAccess } from "../runtime/client/index.js";
export type {
  AgentOptions,
  AgentReadiness,
  AgentStats,
  ExecutionOutcome,
  ExecutionRecord,
  Handler,
  HandlerContext,
  Handlers,
  HeliosAgent,
} from "./types.js";
