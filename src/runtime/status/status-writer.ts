// Writes an object's status with optimistic concurrency, and skips writes that change nothing.
//
// Flow: compare the cached status with the desired one; equal → no request. Otherwise PUT
// /status carrying the cached metadata.resourceVersion. Every answer is a WriteOutcome (runtime/client):
// a 409 is `conflict` (logged at debug; the informer brings the newer object and the caller
// requeues), a 404 `gone`, a 429 `throttled`. When the answer is lost (the rule in write-outcome.ts),
// one GET settles whether the write landed: a newer version carrying exactly our status is ours (it
// holds our timestamps), so callers that act on a successful write (audit entries, metrics) do not
// miss it. Never throws: reconcilers pass the outcome through `orThrow` to retry the rest with backoff.
import { pino, type Logger } from "pino";
import { failedWrite, settleByReading, type KubeObject, type StatusWriterClient, type WriteOutcome } from "../client/index.js";
import { jsonEqual } from "./deep-equal.js";

/** An object with a status. */
export type WithStatus = KubeObject & { status?: unknown };

/** The status type of an object type, without `undefined`. */
export type StatusOf<T extends WithStatus> = Exclude<T["status"], undefined>;

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
   */
  async updateStatus(obj: T, nextStatus: StatusOf<T>, options: { signal?: AbortSignal; retryOn429?: boolean } = {}): Promise<WriteOutcome<T>> {
    if (jsonEqual(obj.status, nextStatus)) return { outcome: "unchanged" };
    try {
      // T's status field has type StatusOf<T> | undefined, so this spread is a T; TS cannot see it.
      const next = { ...obj, status: nextStatus } as T;
      return { outcome: "written", object: await this.#client.replaceStatus(next, options) };
    } catch (err) {
      const failed = failedWrite(err);
      const ref = { kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, resourceVersion: obj.metadata?.resourceVersion, outcome: failed.outcome };
      if (failed.outcome !== "unknown") {
        this.#log.debug({ ...ref, reason: err instanceof Error ? err.message : String(err) }, "status write not applied");
        return failed;
      }
      const target = { namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? "" };
      // Ours: a newer version than the one written on, with exactly the status sent.
      const isOurs = (stored: T): boolean => stored.metadata?.resourceVersion !== obj.metadata?.resourceVersion && jsonEqual(stored.status, nextStatus);
      const settled = await settleByReading(failed, () => this.#client.get(target, options.signal === undefined ? {} : { signal: options.signal }), isOurs);
      this.#log.debug({ ...ref, reason: failed.error.message, settled: settled.outcome }, "status write answer lost; read back");
      return settled;
    }
  }
}

/** Returns `status` with `observedGeneration` set to the generation the decision was based on. */
export function withObservedGeneration<S extends object>(status: S, obj: KubeObject): S & { observedGeneration?: number } {
  const generation = obj.metadata?.generation;
  return generation === undefined ? status : { ...status, observedGeneration: generation };
}
