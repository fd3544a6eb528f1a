// Writes an object's status with optimistic concurrency, and skips writes that change nothing.
//
// Flow: compare the cached status with the desired one; equal → no request. Otherwise PUT
// /status carrying the cached metadata.resourceVersion. If someone wrote since we read, the
// apiserver answers 409: that is an expected outcome, returned as `conflict` and logged at debug.
// The caller re-reads (its informer will deliver the newer object) and requeues. When the answer is
// lost (the connection dropped or timed out after the request was sent), one GET settles whether
// the write landed: a newer version carrying exactly our status is ours (it holds our timestamps),
// so callers that act on a successful write (audit entries, metrics) do not miss it.
import { pino, type Logger } from "pino";
import { isApiError, type ConflictError, type KubeObject, type StatusWriterClient } from "../client/index.js";
import { jsonEqual } from "./deep-equal.js";

/** An object with a status. */
export type WithStatus = KubeObject & { status?: unknown };

/** The status type of an object type, without `undefined`. */
export type StatusOf<T extends WithStatus> = Exclude<T["status"], undefined>;

export type StatusUpdateResult<T> =
  | { readonly outcome: "unchanged" }
  | { readonly outcome: "updated"; readonly object: T }
  /** Our copy was stale; re-read and requeue. */
  | { readonly outcome: "conflict"; readonly error: ConflictError }
  /** The object was deleted since we read it; nothing left to write. */
  | { readonly outcome: "notFound" };

export interface StatusWriterOptions {
  readonly log?: Pick<Logger, "debug">;
}

/** Updates status subresources; one writer can serve any number of reconciles. */
export class StatusWriter<T extends WithStatus> {
  readonly #client: StatusWriterClient<T>;
  readonly #log: Pick<Logger, "debug">;

  constructor(client: StatusWriterClient<T>, options: StatusWriterOptions = {}) {
    this.#client = client;
    this.#log = options.log ?? pino({ level: "silent" });
  }

  /**
   * Makes `obj`'s status `nextStatus`. `obj` is the version the decision was based on (from the
   * cache); its resourceVersion is the lock.
   * @throws ApiError for failures other than Conflict and NotFound (they are outcomes).
   */
  async updateStatus(obj: T, nextStatus: StatusOf<T>, options: { signal?: AbortSignal; retryOn429?: boolean } = {}): Promise<StatusUpdateResult<T>> {
    if (jsonEqual(obj.status, nextStatus)) return { outcome: "unchanged" };
    try {
      // T's status field has type StatusOf<T> | undefined, so this spread is a T; TS cannot see it.
      const next = { ...obj, status: nextStatus } as T;
      const object = await this.#client.replaceStatus(next, options);
      return { outcome: "updated", object };
    } catch (err) {
      const ref = { kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, resourceVersion: obj.metadata?.resourceVersion };
      if (isApiError(err, "Conflict")) {
        this.#log.debug({ ...ref, reason: err.message }, "status write conflict; will re-read");
        return { outcome: "conflict", error: err };
      }
      if (isApiError(err, "NotFound")) {
        this.#log.debug(ref, "status write found the object gone");
        return { outcome: "notFound" };
      }
      if (isApiError(err, "Network") || isApiError(err, "Timeout")) {
        const landed = await this.#landed(obj, nextStatus, options.signal);
        if (landed !== undefined) {
          this.#log.debug({ ...ref, reason: err.message }, "status write answer lost; the write landed");
          return { outcome: "updated", object: landed };
        }
      }
      throw err;
    }
  }

  /** The stored object if it is a newer version than `obj` with exactly `status`, else undefined. */
  async #landed(obj: T, status: StatusOf<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
    try {
      const stored = await this.#client.get({ namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "" }, signal === undefined ? {} : { signal });
      const moved = stored.metadata?.resourceVersion !== obj.metadata?.resourceVersion;
      return moved && jsonEqual(stored.status, status) ? stored : undefined;
    } catch {
      return undefined; // unknown still: the caller sees the original error and retries as before
    }
  }
}

/** Returns `status` with `observedGeneration` set to the generation the decision was based on. */
export function withObservedGeneration<S extends object>(status: S, obj: KubeObject): S & { observedGeneration?: number } {
  const generation = obj.metadata?.generation;
  return generation === undefined ? status : { ...status, observedGeneration: generation };
}
