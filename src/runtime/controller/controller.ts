// A controller: event sources feed keys into a work queue; N workers reconcile them one key at a time.
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { isApiError, MAX_RETRY_AFTER_MS, retryAfterMs } from "../client/index.js";
import { controllerLogger, silentLogger } from "../log/index.js";
import { realClock, sleep, WorkQueue } from "../queue/index.js";
import type { Clock, RateLimiter } from "../queue/index.js";
import { isTerminalError, parseRequestKey, requestKey } from "../reconcile/index.js";
import type { Reconciler, Request, Result } from "../reconcile/index.js";
import { controllerMetrics } from "./metrics.js";
import type { ControllerMetrics, ReconcileResultLabel } from "./metrics.js";
import type { EventSource, ObjectLike } from "./source.js";

/** Options for {@link Controller}. */
export interface ControllerOptions {
  /** Unique per process; labels metrics, logs and the queue. */
  readonly name: string;
  readonly reconciler: Reconciler;
  /** Workers (default 1). Different keys run in parallel, one key never does. */
  readonly maxConcurrentReconciles?: number;
  readonly registry?: Registry;
  /** Root logger; the controller logs through a child carrying `controller`. */
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter;
  /** How long `start` waits for its sources' first list before failing (default 2 min). */
  readonly cacheSyncTimeoutMs?: number;
  /** Whether to run only on the elected leader (default true: controllers write). */
  readonly needsLeaderElection?: boolean;
}

/** Maps an object from a source to the requests it should trigger. */
export type MapToRequests<T> = (obj: T) => readonly Request[];

/** The source's cache did not sync within `cacheSyncTimeoutMs`. */
export class CacheSyncTimeoutError extends Error {
  readonly code = "CacheSyncTimeout" as const;
  readonly retryable = false as const;

  constructor(controller: string, timeoutMs: number) {
    super(`controller ${controller}: caches did not sync within ${timeoutMs} ms`);
    this.name = "CacheSyncTimeoutError";
  }
}

/** The object's own key (controller-runtime's EnqueueRequestForObject). */
export function requestForObject(obj: ObjectLike): readonly Request[] {
  const name = obj.metadata?.name;
  if (name === undefined || name === "") return [];
  const namespace = obj.metadata?.namespace;
  return [namespace === undefined || namespace === "" ? { name } : { namespace, name }];
}

// Programming faults: what Go would report as a panic (nil dereference, index out of range, ...).
function isPanic(err: unknown): boolean {
  return (
    !(err instanceof Error) ||
    err instanceof TypeError ||
    err instanceof ReferenceError ||
    err instanceof RangeError ||
    err instanceof SyntaxError
  );
}

const SYNC_POLL_MS = 100;

/**
 * Runs a Reconciler for keys produced by watched sources. A Runnable for the manager: `start`
 * returns after its signal aborts and in-flight reconciles finished.
 *
 * Events are queued from the moment `watch` is called (also on a standby replica, so the first
 * reconcile after winning the election covers every object); workers start only in `start`, after
 * every source has synced.
 */
export class Controller {
  readonly name: string;
  readonly needsLeaderElection: boolean;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: ControllerMetrics | undefined;
  readonly #queue: WorkQueue<string>;
  readonly #sources: Pick<EventSource, "hasSynced">[] = [];
  readonly #syncTimeoutMs: number;
  #started = false;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.needsLeaderElection = options.needsLeaderElection ?? true;
    this.#reconciler = options.reconciler;
    this.#workers = Math.max(1, options.maxConcurrentReconciles ?? 1);
    this.#clock = options.clock ?? realClock;
    this.#log = controllerLogger(options.logger ?? silentLogger(), options.name);
    this.#syncTimeoutMs = options.cacheSyncTimeoutMs ?? 120_000;
    this.#metrics = options.registry === undefined ? undefined : controllerMetrics(options.registry, options.name);
    this.#queue = new WorkQueue<string>({
      name: options.name,
      clock: this.#clock,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.rateLimiter === undefined ? {} : { rateLimiter: options.rateLimiter }),
    });
  }

  /**
   * Enqueues requests for every add, update (old and new object) and delete event of `source`.
   * `toRequests` defaults to the object's own key; pass a mapper to reconcile an owner instead.
   */
  watch<T extends ObjectLike>(source: EventSource<T>, toRequests: MapToRequests<T> = requestForObject): void {
    const enqueue = (...objs: T[]): void => {
      const keys = new Set(objs.flatMap((o) => toRequests(o).map(requestKey)));
      for (const key of keys) this.#queue.add(key);
    };
    source.addEventHandler({
      onAdd: (obj) => enqueue(obj),
      onUpdate: (oldObj, newObj) => enqueue(oldObj, newObj),
      onDelete: (obj) => enqueue(obj),
    });
    this.#sources.push(source);
  }

  /** Queues `req` directly (for triggers that are not object events, e.g. a flag change). */
  enqueue(req: Request): void {
    this.#queue.add(requestKey(req));
  }

  /** Waits for sources to sync, then runs workers until `signal` aborts and in-flight work is done. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`controller ${this.name} was already started`);
    this.#started = true;
    const stop = (): void => this.#queue.shutDown();
    signal.addEventListener("abort", stop, { once: true });
    try {
      if (!(await this.#waitForSync(signal))) return;
      this.#metrics?.maxConcurrentReconciles(this.#workers);
      this.#log.info({ workers: this.#workers }, "Starting workers");
      await Promise.all(Array.from({ length: this.#workers }, () => this.#worker(signal)));
      this.#log.info("All workers finished");
    } finally {
      signal.removeEventListener("abort", stop);
      this.#queue.shutDown();
    }
  }

  async #waitForSync(signal: AbortSignal): Promise<boolean> {
    const deadline = this.#clock.now() + this.#syncTimeoutMs;
    while (!this.#sources.every((s) => s.hasSynced())) {
      if (signal.aborted) return false;
      if (this.#clock.now() >= deadline) throw new CacheSyncTimeoutError(this.name, this.#syncTimeoutMs);
      await sleep(this.#clock, SYNC_POLL_MS, signal);
    }
    return !signal.aborted;
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.#queue.get();
      if (key === undefined) return;
      // After stop the queue still hands out what was queued; leave it (a new leader will do it).
      if (signal.aborted) {
        this.#queue.done(key);
        continue;
      }
      await this.#processNextWorkItem(key, signal);
    }
  }

  // One key, one reconcile, one of four outcomes, each counted and logged; done() always runs.
  async #processNextWorkItem(key: string, signal: AbortSignal): Promise<void> {
    const req = parseRequestKey(key);
    const reconcileId = randomUUID();
    const log = this.#log.child({ namespace: req.namespace, name: req.name, reconcileID: reconcileId });
    const started = this.#clock.now();
    this.#metrics?.workerStarted();
    let outcome: ReconcileResultLabel;
    try {
      const result: Result = await this.#reconciler.reconcile(req, { signal, log, reconcileId });
      outcome = this.#onResult(key, result, log);
    } catch (err: unknown) {
      outcome = this.#onError(key, err, log);
    } finally {
      this.#queue.done(key);
      this.#metrics?.workerFinished();
    }
    this.#metrics?.reconciled(outcome, (this.#clock.now() - started) / 1000);
  }

  #onResult(key: string, result: Result, log: Logger): ReconcileResultLabel {
    switch (result.next) {
      case "requeueAfter":
        this.#queue.forget(key);
        this.#queue.addAfter(key, result.afterMs);
        log.debug({ requeueAfterMs: result.afterMs }, "Reconcile done, requeueing after delay");
        return "requeue_after";
      case "retryWithBackoff":
        this.#queue.addRateLimited(key);
        log.debug({ requeues: this.#queue.numRequeues(key) }, "Reconcile done, requeueing with backoff");
        return "requeue";
      case "awaitChange":
        this.#queue.forget(key);
        log.debug("Reconcile successful");
        return "success";
    }
  }

  #onError(key: string, err: unknown, log: Logger): ReconcileResultLabel {
    this.#metrics?.error();
    if (isPanic(err)) {
      this.#metrics?.panic();
      log.error({ err }, "Observed a panic in reconciler");
    }
    if (isTerminalError(err)) {
      this.#metrics?.terminalError();
      this.#queue.forget(key);
      log.error({ err, terminal: true }, "Reconciler error (terminal, not retried)");
      return "error";
    }
    // A 429 (a reconcile that failed fast instead of waiting it out) comes back after Retry-After.
    if (isApiError(err, "TooManyRequests")) {
      const waitMs = retryAfterMs(err, MAX_RETRY_AFTER_MS);
      this.#queue.addRateLimited(key, waitMs);
      log.info({ retryAfterMs: waitMs, requeues: this.#queue.numRequeues(key) }, "Reconciler throttled by the apiserver (429), requeued after Retry-After");
      return "error";
    }
    this.#queue.addRateLimited(key);
    if (!isPanic(err)) log.error({ err, requeues: this.#queue.numRequeues(key) }, "Reconciler error");
    return "error";
  }
}
