// The reconcile contract every controller implements: Request in, Result (or an error) out, and the
// rules that give each outcome its meaning. Imports nothing else from the runtime.
export type { ReconcileContext, Reconciler, Request, Result } from "./reconcile.js";
export { awaitChange, isTerminalError, parseRequestKey, requestKey, requeueAfter, retryWithBackoff, TerminalError } from "./reconcile.js";
