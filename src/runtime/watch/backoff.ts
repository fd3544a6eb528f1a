// Capped exponential backoff with jitter, for reconnecting lists and watches.
import { exponentialBackoff } from "../backoff/index.js";

export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  readonly initialMs?: number;
  /** Ceiling for any delay, jitter included. Default 30 s. */
  readonly maxMs?: number;
  /** Growth per consecutive failure. Default 2. */
  readonly factor?: number;
  /** Up to this fraction is added at random so that many clients do not reconnect in step. Default 0.5. */
  readonly jitter?: number;
}

/**
 * The delay before retry number `attempt` (0-based): initial × factor^attempt, plus up to
 * `jitter` of itself, never above maxMs. `random` returns a number in [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const jitter = options.jitter ?? 0.5;
  return exponentialBackoff({
    baseMs: options.initialMs ?? 500,
    maxMs: options.maxMs ?? 30_000,
    factor: options.factor ?? 2,
    jitter: { min: 1, max: 1 + jitter },
  })(attempt, random);
}

/** Counts consecutive failures; `reset()` after a success. */
export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** The delay to wait now; the next call returns a longer one (up to the cap). */
  next(): number {
    return backoffDelay(this.#attempt++, this.#options, this.#random);
  }

  reset(): void {
    this.#attempt = 0;
  }

  /** Consecutive failures since the last reset. */
  get failures(): number {
    return this.#attempt;
  }
}
