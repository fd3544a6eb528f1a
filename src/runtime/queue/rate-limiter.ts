// Rate limiters deciding how long a failed key waits before its next try (client-go's workqueue limiters).
import { exponentialBackoff } from "../backoff/index.js";
import { realClock } from "../clock/index.js";
import type { Clock } from "../clock/index.js";

/** Decides per-item retry delays; `forget` resets an item's history after a success. */
export interface RateLimiter<T = string> {
  /** Delay in ms before `item` may be retried; each call counts as one more failure. */
  when(item: T): number;
  /** Clears `item`'s failure history (backoff starts again at the base delay). */
  forget(item: T): void;
  /** How many times `item` has failed since it was last forgotten. */
  numRequeues(item: T): number;
}

/** client-go's defaults: 5 ms doubling per failure, capped at 1000 s. */
export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 1_000_000;

/** Per-item exponential backoff: base * 2^failures, capped at max. */
export class ItemExponentialRateLimiter<T = string> implements RateLimiter<T> {
  readonly #failures = new Map<T, number>();
  readonly #delayOf: (failures: number) => number;

  constructor(
    readonly baseDelayMs = DEFAULT_BASE_DELAY_MS,
    readonly maxDelayMs = DEFAULT_MAX_DELAY_MS,
  ) {
    this.#delayOf = exponentialBackoff({ baseMs: baseDelayMs, maxMs: maxDelayMs });
  }

  when(item: T): number {
    const exp = this.#failures.get(item) ?? 0;
    this.#failures.set(item, exp + 1);
    return this.#delayOf(exp);
  }

  forget(item: T): void {
    this.#failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.#failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket (not per item): `qps` tokens a second, up to `burst` saved. It bounds the
 * retry rate of the whole queue when many keys fail at once.
 */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  #tokens: number;
  #last: number;

  constructor(
    readonly qps = 10,
    readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    this.#tokens = burst;
    this.#last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    this.#tokens -= 1; // reserve a token even if it is not there yet: the debt is the delay
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.qps) * 1000);
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** Uses the longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  readonly #limiters: readonly RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.#limiters = limiters;
  }

  when(item: T): number {
    return Math.max(0, ...this.#limiters.map((l) => l.when(item)));
  }

  forget(item: T): void {
    for (const l of this.#limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    return Math.max(0, ...this.#limiters.map((l) => l.numRequeues(item)));
  }
}

/** controller-runtime's default: per-item 5 ms → 1000 s backoff, and 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter<T = string>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(), new BucketRateLimiter<T>(10, 100, clock));
}
