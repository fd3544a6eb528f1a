// What every controller of the operator shares: the cached informers (jobs, agents, leases, feature
// flags) with their job indexes, and small job and agent helpers.
export { CACHE_OBJECTS_METRIC, registerCacheMetrics } from "./cache-metrics.js";
export { createOperatorInformers, type OperatorInformers, type OperatorInformersOptions } from "./informers.js";
export { agentIndexKey, isActivePhase, JOB_INDEX, JOB_INDEXERS } from "./indexes.js";
export { jobPhase, parseTime } from "../../api/index.js";
export { currentAttempt, eligibleSinceOf, priorityOf, queuedAtOf, queueOf } from "./job-fields.js";
export { isLiveJob, isSettledJob, liveJobSchema, settledJobSchema, type CachedJob, type LiveJob, type SettledJob } from "./cached-jobs.js";
export { isLostAgent, phaseSinceOf } from "./agent-fields.js";
export { jobMetrics, type JobMetrics } from "./job-metrics.js";
