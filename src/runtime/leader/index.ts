// Leader election on a coordination.k8s.io/v1 Lease (client-go semantics): one replica leads and
// runs the controllers; standbys keep their caches warm and take over when the lease expires.
export type { LeaderElectionOptions, LeaderElectionOutcome } from "./leader-elector.js";
export { defaultIdentity, LeaderElector, registerLeaderMetrics } from "./leader-elector.js";
export type { LeaderElectionRecord, ObservedLease, LeaseWriteOutcome } from "./lease-lock.js";
export { LeaseLock, leaseTime } from "./lease-lock.js";
