// The manager: owns a process's runnables (informers on every replica, controllers on the leader),
// leader election, /metrics, /healthz and /readyz, and the ordered graceful stop on SIGTERM.
export type {
  ManagerLeaderElection,
  ManagerOptions,
  ReadinessSource,
  Runnable,
  ServingAddresses,
  StartableInformer,
} from "./manager.js";
export { GracefulShutdownTimeoutError, LeaderElectionLostError, Manager } from "./manager.js";
