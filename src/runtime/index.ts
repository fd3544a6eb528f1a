// Helios's controller runtime: our controller-runtime, in TypeScript, over the apiserver's REST API.
//
// An event's path from watch to write:
//  1. client/   A Transport speaks HTTPS with a kubeconfig's credentials (kubeconfig/ loads them
//               without client-node); ResourceClient<T> gives typed get/list/watch/create/replace/
//               patch/status calls whose failures are ApiErrors with a literal `code` (Conflict,
//               NotFound, Gone, TooManyRequests, ...).
//  2. watch/    A Watcher lists, then watches from the list's resourceVersion; on 410 Gone it relists,
//               on any other error it reconnects with capped backoff, and a watch that goes silent
//               past the stale period is restarted.
//  3. cache/    An Informer applies those events to a Store (by key, namespace and declared indexes)
//               and tells handlers onAdd/onUpdate/onDelete; a relist is diffed so nothing is missed,
//               and a periodic resync re-delivers everything.
//  4. queue/    Handlers enqueue keys into a rate-limited, de-duplicating WorkQueue (client-go
//               semantics: queued once, dirty-while-processing runs again, per-item backoff).
//  5. controller/, reconcile/
//               A Controller's workers take one key at a time and call the Reconciler, which reads
//               the cache, decides with pure functions, writes, and returns {requeueAfter} or throws
//               (retry with backoff) or throws TerminalError (no retry).
//  6. status/   The StatusWriter PUTs status with the cached resourceVersion and answers a
//               WriteOutcome (client/write-outcome.ts): written, unchanged (nothing sent), conflict
//               (the informer brings the newer object and the key is requeued), gone, throttled
//               (429: never applied), rejected, or unknown (the answer was lost and a read back
//               could not tell). One rule says which failures may have landed, for every writer.
// Around them: leader/ (Lease leader election: controllers run only while leading), manager/
// (starts informers, waits for sync, runs controllers while leader, /metrics, /healthz, /readyz,
// graceful shutdown), metrics/ (one prom-client registry, controller-runtime's metric names),
// events/ (Kubernetes Events), config/ (operator flags), log/ (pino) and clock/ (the time every wait
// uses: Node timers chained past their 24.8-day limit, and a fake for tests; re-exported by queue/).
export * from "./cache/index.js";
export * from "./client/index.js";
export * from "./config/index.js";
// The controller's EventHandler is the same shape as the informer's; the informer's is exported.
export {
  CacheSyncTimeoutError,
  Controller,
  registerControllerMetrics,
  requestForObject,
  type ControllerOptions,
  type EventSource,
  type MapToRequests,
  type ObjectLike,
  type ReconcileResultLabel,
} from "./controller/index.js";
export * from "./events/index.js";
export * from "./kubeconfig/index.js";
export * from "./leader/index.js";
export * from "./log/index.js";
export * from "./manager/index.js";
export * from "./metrics/index.js";
export * from "./queue/index.js";
export * from "./reconcile/index.js";
export * from "./status/index.js";
export * from "./watch/index.js";
