// The reconcile contract: what a controller asks of a Reconciler and what the answer means.
import type { Logger } from "pino";

/**
 * Names the object to reconcile. It carries only the key, never the event that produced it:
 * reconcilers are level-based and read the current state from the cache.
 */
export interface Request {
  /** Empty or absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
}

/**
 * What happens next after a reconcile that did not throw (kube-rs's `Action`); build it with
 * {@link awaitChange}, {@link requeueAfter} or {@link retryWithBackoff}.
 * - `awaitChange`: done; nothing happens until a watched object changes (and the key's backoff resets).
 * - `requeueAfter`: reconcile again after `afterMs` (timers: staleness, TTLs, notBefore); the
 *   backoff resets, and a change meanwhile still runs it sooner.
 * - `retryWithBackoff`: reconcile again after the rate limiter's backoff without counting an error
 *   (a write met a newer object, a 409: an expected outcome, not a failure to log).
 */
export type Result =
  | { readonly next: "awaitChange" }
  | { readonly next: "requeueAfter"; readonly afterMs: number }
  | { readonly next: "retryWithBackoff" };

const AWAIT_CHANGE: Result = { next: "awaitChange" };
const RETRY_WITH_BACKOFF: Result = { next: "retryWithBackoff" };

/** Done until a watched object changes. */
export function awaitChange(): Result {
  return AWAIT_CHANGE;
}

/**
 * Again after `ms`. A deadline that is not in the future (undefined, 0 or less) leaves the key to its
 * next change, as controller-runtime does with `RequeueAfter <= 0`.
 */
export function requeueAfter(ms: number | undefined): Result {
  return ms === undefined || !(ms > 0) ? AWAIT_CHANGE : { next: "requeueAfter", afterMs: ms };
}

/** Again after the key's backoff, not counted as an error: the cache is about to bring a newer object. */
export function retryWithBackoff(): Result {
  return RETRY_WITH_BACKOFF;
}

/** What a reconcile call gets besides the key. */
export interface ReconcileContext {
  /** Aborts when the controller stops (shutdown or lost leadership): stop writing and return. */
  readonly signal: AbortSignal;
  /** A logger already carrying controller, namespace, name and reconcileID. */
  readonly log: Logger;
  /** Unique per reconcile call; correlates its log lines. */
  readonly reconcileId: string;
}

/**
 * Drives one object toward its desired state.
 *
 * Rules:
 * - Level-based: act on what the cache says now, not on why you were called; the same request may
 *   arrive any number of times and must converge (idempotent).
 * - Throwing (rejecting) means "retry with exponential backoff"; any Result is then ignored.
 * - Throwing a {@link TerminalError} means retrying cannot help: it is logged and counted, and the
 *   key is not retried until a watched object changes again.
 * - One reconcile runs per key at a time, however many workers the controller has.
 */
export interface Reconciler {
  reconcile(req: Request, ctx: ReconcileContext): Promise<Result>;
}

/** An error a retry cannot fix (bad spec, missing reference): never retried with backoff. */
export class TerminalError extends Error {
  readonly code = "Terminal" as const;
  readonly retryable = false as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** True if `err` is, or wraps through `cause`, a {@link TerminalError}. */
export function isTerminalError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

/** The queue key of a request: `namespace/name`, or `name` when cluster-scoped (client-go's format). */
export function requestKey(req: Request): string {
  return req.namespace === undefined || req.namespace === "" ? req.name : `${req.namespace}/${req.name}`;
}

/** Inverse of {@link requestKey}; names never contain "/", so the first one splits. */
export function parseRequestKey(key: string): Request {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
