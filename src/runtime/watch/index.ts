// List+watch of one resource that survives everything the apiserver and the network can do:
// relist on 410 Gone or a refused watch, capped-backoff reconnects on network errors, stale-watch detection.
export { Backoff, backoffDelay, type BackoffOptions } from "./backoff.js";
export { StaleWatchError } from "./errors.js";
export { MAX_REWATCHES_WITHOUT_PROGRESS, recoveryAfterWatchFailure } from "./recovery.js";
export { Watcher, type WatcherEvent, type WatcherNotice, type WatcherOptions } from "./watcher.js";
