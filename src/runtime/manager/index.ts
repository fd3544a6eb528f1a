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
export { bindAddressSchema, listenersClash, parseBindAddress, type BindAddress } from "./bind-address.js";
export { shutdownSignal } from "./signals.js";
export {
  bearerToken,
  delegatingAccessReviewer,
  delegatingMetricsGuard,
  TtlCache,
  type Access,
  type AccessAttributes,
  type AccessReviewer,
  type DelegatingOptions,
  type MetricsAccess,
  type MetricsGuard,
  type ReviewedUser,
} from "./metrics-auth.js";
export { closeServer, listen, type MetricsProtection } from "./server.js";
export { selfSignedCertificate, type ServingCertificate } from "./self-signed.js";
