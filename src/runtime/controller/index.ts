// Controllers: the engine that turns watched events into keys and runs a Reconciler over them with
// N workers, backoff and controller-runtime's metrics. A controller is a leader-elected Runnable.
export type { ControllerOptions, MapToRequests } from "./controller.js";
export { CacheSyncTimeoutError, Controller, requestForObject } from "./controller.js";
export type { EventHandler, EventSource, ObjectLike } from "./source.js";
export type { ReconcileResultLabel } from "./metrics.js";
export { registerControllerMetrics } from "./metrics.js";
