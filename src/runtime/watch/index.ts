// List+watch of one resource that survives everything the apiserver and the network can do:
// relist on 410 Gone, capped-backoff reconnects on every other error, stale-watch detection.
export { Backoff, backoffDelay, type BackoffOptions } from "./backoff.js";
export { StaleWatchError } from "./errors.js";
export { Watcher, type WatcherEvent, type WatcherNotice, type WatcherOptions } from "./watcher.js";
