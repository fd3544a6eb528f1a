// Deleting exactly the object a decision was made on: uid and resourceVersion preconditions.
//
// Guarantees: the object is deleted only if it is still the incarnation (uid) and the version
// (resourceVersion) the caller read, so a change made since the read (a new heartbeat, a recreated
// object of the same name) is decided again instead of being deleted. Conflict and NotFound are
// outcomes, not errors; a 429 is thrown at once (a reconcile fails fast and the queue retries).
import { isApiError } from "./errors.js";
import type { KubeObject, ObjectRef } from "./object.js";
import type { DeleteOptions } from "./resource-client.js";

/** What a precondition delete did. */
export type DeleteUnchangedOutcome =
  /** Deleted (or its deletion started, when it has finalizers). */
  | "deleted"
  /** Already gone: someone else deleted it. */
  | "gone"
  /** Changed since the read (another version or incarnation): decide again on the newer object. */
  | "changed";

/** The one call it needs; a ResourceClient is one. */
export interface Deleter {
  delete(ref: ObjectRef, options: DeleteOptions): Promise<void>;
}

/** Deletes `obj` if it is unchanged since it was read. @throws ApiError for other failures. */
export async function deleteUnchanged(deleter: Deleter, obj: KubeObject, options: { signal?: AbortSignal } = {}): Promise<DeleteUnchangedOutcome> {
  const meta = obj.metadata;
  // An empty name would address the whole collection.
  if (!meta?.name) throw new TypeError("object has no metadata.name");
  try {
    await deleter.delete(
      { namespace: meta.namespace, name: meta.name },
      {
        ...(meta.uid === undefined ? {} : { uid: meta.uid }),
        ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
        signal: options.signal,
        retryOn429: false,
      },
    );
    return "deleted";
  } catch (err) {
    if (isApiError(err, "NotFound")) return "gone";
    if (isApiError(err, "Conflict")) return "changed";
    throw err;
  }
}
