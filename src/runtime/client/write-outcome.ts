// What became of a write, as one union every writer returns (the status writer, the dispatcher, the
// agent's fenced write), and the one rule for a write whose answer was lost.
//
// The rule: a write that failed with a retryable error other than 429 (a network failure, a timeout,
// a 5xx) may have been applied: the request reached the apiserver and its answer did not come back. A
// 429 never was: the apiserver's priority-and-fairness filter refuses before the request is handled.
// Other failures (400, 403, 422, ...) were refused. Whether a write that may have landed did land is
// settled by reading the object back: it landed when the stored object carries what was written.
import { isApiError, MAX_RETRY_AFTER_MS, retryAfterMs, type ConflictError, type KubeApiError, type TooManyRequestsError } from "./errors.js";

export type WriteOutcome<T> =
  /** Applied; `object` is the stored version. */
  | { readonly outcome: "written"; readonly object: T }
  /** Nothing to write: the object already says it; no request was sent. */
  | { readonly outcome: "unchanged" }
  /** Someone wrote first (409): re-read and decide again. */
  | { readonly outcome: "conflict"; readonly error: ConflictError }
  /** The object was deleted (404). */
  | { readonly outcome: "gone" }
  /** Not applied (429): send again after `retryAfterMs`. */
  | { readonly outcome: "throttled"; readonly retryAfterMs: number; readonly error: TooManyRequestsError }
  /** Not applied, and the same request would be refused again (400, 403, 422, ...). */
  | { readonly outcome: "rejected"; readonly error: unknown }
  /** The answer was lost and a read could not tell: it may have landed, or may land yet. */
  | { readonly outcome: "unknown"; readonly error: KubeApiError };

/** The outcomes a failed request can have before anything is read back. */
export type FailedWrite = Extract<WriteOutcome<never>, { readonly outcome: "conflict" | "gone" | "throttled" | "rejected" | "unknown" }>;

/** Whether a write that failed with `err` may have been applied (see the file comment). */
export function mayHaveLanded(err: unknown): err is KubeApiError {
  return isApiError(err) && err.retryable && !isApiError(err, "TooManyRequests");
}

/** The outcome of a write that failed with `err`. */
export function failedWrite(err: unknown): FailedWrite {
  if (isApiError(err, "Conflict")) return { outcome: "conflict", error: err };
  if (isApiError(err, "NotFound")) return { outcome: "gone" };
  if (isApiError(err, "TooManyRequests")) return { outcome: "throttled", retryAfterMs: retryAfterMs(err, MAX_RETRY_AFTER_MS), error: err };
  if (mayHaveLanded(err)) return { outcome: "unknown", error: err };
  return { outcome: "rejected", error: err };
}

/**
 * Settles a lost answer (`unknown`) by one read: `written` when the stored object `isOurs`, `gone`
 * when it was deleted, else the `unknown` it was (a failed read settles nothing; a stored object
 * without our write may still receive it, or may never).
 */
export async function settleByReading<T>(lost: Extract<WriteOutcome<T>, { outcome: "unknown" }>, read: () => Promise<T>, isOurs: (stored: T) => boolean): Promise<WriteOutcome<T>> {
  try {
    const stored = await read();
    return isOurs(stored) ? { outcome: "written", object: stored } : lost;
  } catch (err) {
    return isApiError(err, "NotFound") ? { outcome: "gone" } : lost;
  }
}

/** `outcome` when the write is settled one way or the other (written, unchanged, conflict, gone); throws the error of any other. */
export function orThrow<T>(outcome: WriteOutcome<T>): Extract<WriteOutcome<T>, { outcome: "written" | "unchanged" | "conflict" | "gone" }> {
  switch (outcome.outcome) {
    case "throttled":
    case "rejected":
    case "unknown":
      throw outcome.error;
    default:
      return outcome;
  }
}
