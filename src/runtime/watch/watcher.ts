// List+watch that never gives up: relists on 410, reconnects with backoff on every other error.
//
// Flow: list (all pages, consistent read) → emit Listed(all objects) → watch from the list's
// resourceVersion with bookmarks and a randomised server-side timeout → emit each event and
// remember its resourceVersion → when the watch ends, watch again from there. On 410 Gone the
// remembered version is dropped and the loop relists. Every other failure waits a capped
// exponential backoff, then re-watches from the remembered version when the failure said nothing
// about it (network, stale connection, 429, 503) and relists when the server refused it (any other
// status) or after a few failures in a row without progress (`recoveryAfterWatchFailure`).
//
// Guarantees: after a Listed event the consumer holds the complete state as of its
// resourceVersion; the events that follow apply in order on top of it. Nothing is emitted after
// `run` resolves.
import { isApiError, type KubeObject, type ResourceReader } from "../client/index.js";
import { realClock, sleep as clockSleep, type Timer } from "../clock/index.js";
import { Backoff, type BackoffOptions } from "./backoff.js";
import { StaleWatchError } from "./errors.js";
import { recoveryAfterWatchFailure } from "./recovery.js";

/** What the consumer (a reflector) applies to its store. */
export type WatcherEvent<T> =
  /** The complete current state: replace everything held. */
  | { readonly type: "Listed"; readonly objects: readonly T[]; readonly resourceVersion: string }
  | { readonly type: "Added" | "Modified" | "Deleted"; readonly object: T }
  | { readonly type: "Bookmark"; readonly resourceVersion: string };

/** Lifecycle notices for logs and metrics; they change nothing. */
export type WatcherNotice =
  | { readonly type: "ListStarted"; readonly reason: "initial" | "expired" | "recover" }
  | { readonly type: "WatchStarted"; readonly resourceVersion: string; readonly timeoutSeconds: number }
  | { readonly type: "WatchEnded"; readonly events: number }
  | { readonly type: "WatchExpired"; readonly error: unknown }
  | { readonly type: "Failed"; readonly during: "list" | "watch"; readonly error: unknown; readonly retryInMs: number };

export interface WatcherOptions<T = unknown> {
  /** Namespace to watch; omit for all namespaces. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  /** List page size. Default 500. */
  readonly pageSize?: number;
  /** Server-side watch timeout is drawn from [min, max] seconds, like client-go's 5–10 min. */
  readonly minTimeoutSeconds?: number;
  readonly maxTimeoutSeconds?: number;
  /**
   * Restart a watch that delivered neither event nor bookmark for this long. An idle watch served
   * by the watch cache got its first bookmark after ~2 min (kube-apiserver 1.36, measured), so the
   * default (180 s) fires on a dead connection, not a quiet one. 0 disables.
   */
  readonly staleAfterMs?: number;
  readonly backoff?: BackoffOptions;
  /** Source of randomness for jitter and timeouts (tests pin it). */
  readonly random?: () => number;
  /**
   * Applied to every listed (page by page) and watched object before it is emitted (client-go's
   * SetTransform), to keep only what consumers need, e.g. `stripManagedFields` from the cache
   * module. Must be pure and keep name, namespace and resourceVersion.
   */
  readonly transform?: (obj: T) => T;
}

/** Runs list+watch for one resource and feeds a consumer. */
export class Watcher<T extends KubeObject> {
  readonly #client: ResourceReader<T>;
  readonly #options: WatcherOptions<T>;
  readonly #random: () => number;

  constructor(client: ResourceReader<T>, options: WatcherOptions<T> = {}) {
    this.#client = client;
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Loops until `signal` aborts, then resolves. `emit` is called synchronously, in order; if it
   * throws (a bug in the consumer), `run` rejects with that error.
   */
  async run(signal: AbortSignal, emit: (event: WatcherEvent<T>) => void, notify: (notice: WatcherNotice) => void = () => {}): Promise<void> {
    const backoff = new Backoff(this.#options.backoff, this.#random);
    const selectors = {
      namespace: this.#options.namespace,
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
    };
    let resourceVersion: string | undefined;
    let listReason: "initial" | "expired" | "recover" = "initial";
    let expiredInARow = 0;
    let failedInARow = 0;

    while (!signal.aborted) {
      if (resourceVersion === undefined) {
        notify({ type: "ListStarted", reason: listReason });
        const listed = await this.#listAndEmit(selectors, signal, emit);
        if ("error" in listed) {
          if (signal.aborted) return;
          const retryInMs = backoff.next();
          notify({ type: "Failed", during: "list", error: listed.error, retryInMs });
          await sleep(retryInMs, signal);
          continue;
        }
        resourceVersion = listed.resourceVersion;
        backoff.reset();
        continue;
      }

      const outcome = await this.#watchOnce(resourceVersion, selectors, signal, emit, notify);
      if (signal.aborted) return;
      if (outcome.resourceVersion !== undefined) resourceVersion = outcome.resourceVersion;
      if (outcome.events > 0) {
        backoff.reset();
        expiredInARow = 0;
        failedInARow = 0;
      }
      if (outcome.error === undefined) {
        notify({ type: "WatchEnded", events: outcome.events });
        // A watch that ended at once without events would spin: slow it down like a failure.
        if (outcome.events === 0 && outcome.durationMs < 1000) await sleep(backoff.next(), signal);
        continue;
      }
      if (isApiError(outcome.error, "Gone")) {
        notify({ type: "WatchExpired", error: outcome.error });
        resourceVersion = undefined;
        listReason = "expired";
        // Relist at once the first time; a second 410 in a row without progress backs off.
        if (expiredInARow++ > 0) await sleep(backoff.next(), signal);
        continue;
      }
      const retryInMs = backoff.next();
      notify({ type: "Failed", during: "watch", error: outcome.error, retryInMs });
      await sleep(retryInMs, signal);
      if (recoveryAfterWatchFailure(outcome.error, ++failedInARow) === "relist") {
        failedInARow = 0;
        resourceVersion = undefined;
        listReason = "recover";
      }
    }
  }

  /**
   * Lists every page and emits Listed. A method of its own so that the listed objects die with its
   * frame: V8 keeps a suspended async function's dead locals alive, and `run` stays suspended for
   * as long as the watch lasts, which kept a whole stale copy of the list (measured with a heap
   * snapshot of the operator: every listed Job twice once the informer transforms objects).
   */
  async #listAndEmit(
    selectors: { namespace: string | undefined; labelSelector: string | undefined; fieldSelector: string | undefined },
    signal: AbortSignal,
    emit: (event: WatcherEvent<T>) => void,
  ): Promise<{ resourceVersion: string | undefined } | { error: unknown }> {
    let listed;
    try {
      listed = await this.#client.listAll({ ...selectors, signal }, this.#options.pageSize ?? 500, this.#options.transform);
    } catch (error) {
      return { error };
    }
    emit({ type: "Listed", objects: listed.items, resourceVersion: listed.metadata.resourceVersion });
    return { resourceVersion: listed.metadata.resourceVersion };
  }

  async #watchOnce(
    resourceVersion: string,
    selectors: { namespace: string | undefined; labelSelector: string | undefined; fieldSelector: string | undefined },
    signal: AbortSignal,
    emit: (event: WatcherEvent<T>) => void,
    notify: (notice: WatcherNotice) => void,
  ): Promise<{ events: number; resourceVersion: string | undefined; error: unknown; durationMs: number }> {
    const startedAt = realClock.now();
    const watchAbort = new AbortController();
    const onAbort = (): void => watchAbort.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const staleAfterMs = this.#options.staleAfterMs ?? 180_000;
    let staleTimer: Timer | undefined;
    const armStaleTimer = (): void => {
      if (staleAfterMs <= 0) return;
      staleTimer?.cancel();
      staleTimer = realClock.setTimer(staleAfterMs, () => watchAbort.abort(new StaleWatchError(staleAfterMs)));
    };

    const minTimeout = this.#options.minTimeoutSeconds ?? 300;
    const maxTimeout = Math.max(minTimeout, this.#options.maxTimeoutSeconds ?? 600);
    const timeoutSeconds = Math.floor(minTimeout + this.#random() * (maxTimeout - minTimeout + 1));
    const deliver = (event: WatcherEvent<T>): void => {
      try {
        emit(event);
      } catch (err) {
        throw new EmitError("watch consumer failed", { cause: err });
      }
    };
    const transform = this.#options.transform;
    let events = 0;
    let lastVersion: string | undefined;
    let error: unknown;
    try {
      armStaleTimer();
      notify({ type: "WatchStarted", resourceVersion, timeoutSeconds });
      const stream = this.#client.watch({ ...selectors, resourceVersion, allowWatchBookmarks: true, timeoutSeconds, signal: watchAbort.signal });
      for await (const event of stream) {
        armStaleTimer();
        if (event.type === "ERROR") throw event.error;
        events++;
        if (event.type === "BOOKMARK") {
          lastVersion = event.resourceVersion;
          deliver({ type: "Bookmark", resourceVersion: event.resourceVersion });
          continue;
        }
        lastVersion = event.object.metadata?.resourceVersion ?? lastVersion;
        const object = transform === undefined ? event.object : transform(event.object);
        deliver({ type: event.type === "ADDED" ? "Added" : event.type === "MODIFIED" ? "Modified" : "Deleted", object });
      }
    } catch (err) {
      // An abort for staleness surfaces as whatever the socket threw; report the real reason.
      const reason: unknown = watchAbort.signal.reason;
      error = watchAbort.signal.aborted && reason instanceof StaleWatchError ? reason : err;
      if (isEmitError(err)) throw err.cause;
    } finally {
      staleTimer?.cancel();
      signal.removeEventListener("abort", onAbort);
      watchAbort.abort();
    }
    return { events, resourceVersion: lastVersion, error, durationMs: realClock.now() - startedAt };
  }
}

// Marks an exception thrown by the consumer, so it is not mistaken for a watch failure.
class EmitError extends Error {}
function isEmitError(err: unknown): err is EmitError & { cause: unknown } {
  return err instanceof EmitError;
}

// Resolves after `ms` or at once on abort: the caller's loop checks the signal.
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return clockSleep(realClock, ms, signal);
}
