// A rate-limited, de-duplicating work queue of keys with client-go's workqueue semantics.
import type { Registry } from "prom-client";
import { realClock } from "../clock/index.js";
import type { Clock } from "../clock/index.js";
import { DelayHeap } from "./delay-heap.js";
import { noopQueueMetrics, queueMetrics } from "./metrics.js";
import type { QueueMetrics } from "./metrics.js";
import { defaultControllerRateLimiter } from "./rate-limiter.js";
import type { RateLimiter } from "./rate-limiter.js";

/** Options for {@link WorkQueue}. */
export interface WorkQueueOptions<T> {
  /** Labels the queue's metrics (controller-runtime uses the controller name). */
  readonly name?: string;
  /** Registry for the `workqueue_*` metrics; none means no metrics. */
  readonly registry?: Registry;
  readonly clock?: Clock;
  /** Decides `addRateLimited` delays (default: 5 ms → 1000 s per item, 10 qps / 100 burst overall). */
  readonly rateLimiter?: RateLimiter<T>;
}

/**
 * The queue between event handlers and workers.
 *
 * Guarantees (client-go's):
 * - An item is queued at most once: adding a queued item is a no-op (dedupe).
 * - An item is processed by at most one worker at a time: between `get` and `done` it is
 *   "processing"; adding it then marks it dirty, and `done` queues it once more.
 * - `addAfter` holds an item until its time; a later call with an earlier time wins, a later time
 *   does not postpone it. Held items wait in one heap behind one timer (delay-heap.ts).
 * - `addRateLimited` is `addAfter` with the rate limiter's delay; `forget` resets the item's backoff.
 * - After `shutDown`, adds are ignored and `get` hands out what is still queued, then `undefined`.
 *   `shutDownWithDrain` additionally waits until every processing item is `done`.
 */
export class WorkQueue<T = string> {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter<T>;
  readonly #metrics: QueueMetrics<T>;
  // Insertion-ordered: a Set is both the FIFO and the "is it queued" index.
  readonly #queue = new Set<T>();
  readonly #dirty = new Set<T>();
  readonly #processing = new Set<T>();
  readonly #waiting: DelayHeap<T>;
  readonly #getters: ((item: T | undefined) => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;
  #handoffScheduled = false;

  constructor(options: WorkQueueOptions<T> = {}) {
    this.name = options.name ?? "";
    this.#clock = options.clock ?? realClock;
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter<T>(this.#clock);
    this.#waiting = new DelayHeap<T>(this.#clock, (item) => this.add(item));
    this.#metrics =
      options.registry === undefined ? noopQueueMetrics<T>() : queueMetrics<T>(options.registry, this.name, this.#clock);
  }

  /** Queues `item` unless it is already queued; if it is being processed it runs again after `done`. */
  add(item: T): void {
    if (this.#shuttingDown || this.#dirty.has(item)) return;
    this.#metrics.add(item);
    this.#dirty.add(item);
    if (this.#processing.has(item)) return;
    this.#push(item);
  }

  /** Number of items queued (not counting processing or waiting ones). */
  len(): number {
    return this.#queue.size;
  }

  /**
   * Resolves with the next item, waiting for one if the queue is empty; `undefined` once the queue
   * is shut down and empty. The caller must call `done(item)` when finished with it.
   */
  get(): Promise<T | undefined> {
    const first = this.#queue.values().next();
    if (!first.done) return Promise.resolve(this.#take(first.value));
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Marks `item` finished; if it was added meanwhile (dirty) it is queued again. */
  done(item: T): void {
    this.#metrics.done(item);
    this.#processing.delete(item);
    if (this.#dirty.has(item)) {
      this.#push(item);
    } else if (this.#processing.size === 0) {
      this.#resolveDrain();
    }
  }

  /** Adds `item` after `ms` (at once if `ms <= 0`). */
  addAfter(item: T, ms: number): void {
    if (this.#shuttingDown) return;
    this.#metrics.retry();
    if (ms <= 0) {
      this.add(item);
      return;
    }
    this.#waiting.schedule(item, this.#clock.now() + ms);
  }

  /**
   * Adds `item` after the rate limiter's delay for it (its backoff grows with each call), or after
   * `atLeastMs` if that is longer (a server's Retry-After).
   */
  addRateLimited(item: T, atLeastMs = 0): void {
    this.addAfter(item, Math.max(this.#limiter.when(item), atLeastMs));
  }

  /** Resets `item`'s backoff; call after it was processed successfully. */
  forget(item: T): void {
    this.#limiter.forget(item);
  }

  /** Times `item` went through `addRateLimited` since it was last forgotten. */
  numRequeues(item: T): number {
    return this.#limiter.numRequeues(item);
  }

  /** True once `shutDown` or `shutDownWithDrain` was called. */
  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops accepting items and releases waiting getters; does not wait for processing items. */
  shutDown(): void {
    this.#beginShutdown();
    // A plain shutdown cancels any drain in progress (as client-go's ShutDown does).
    this.#resolveDrain();
  }

  /** Like `shutDown`, then resolves when every item being processed is `done`. */
  shutDownWithDrain(): Promise<void> {
    this.#beginShutdown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #beginShutdown(): void {
    this.#shuttingDown = true;
    this.#waiting.clear();
    // Waiting getters first get what is queued (a handoff may be pending), the rest "shut down".
    this.#serveGetters();
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
  }

  #push(item: T): void {
    this.#queue.add(item);
    if (this.#getters.length > 0 && !this.#handoffScheduled) {
      // Hand over in a microtask, not now: adds made in the same synchronous run (an update
      // event's old and new object) still collapse, as they do under client-go's lock.
      this.#handoffScheduled = true;
      queueMicrotask(() => this.#serveGetters());
    }
  }

  #serveGetters(): void {
    this.#handoffScheduled = false;
    for (;;) {
      const first = this.#queue.values().next();
      if (first.done || this.#getters.length === 0) return;
      const getter = this.#getters.shift();
      getter?.(this.#take(first.value));
    }
  }

  #take(item: T): T {
    this.#queue.delete(item);
    this.#metrics.get(item);
    this.#processing.add(item);
    this.#dirty.delete(item);
    return item;
  }

  #resolveDrain(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}
