// Retry backoff: exponential growth, capped, with equal jitter.
import { exponentialBackoff } from "../runtime/backoff/index.js";

/** `spec.retry` timing, in seconds as the API has it. */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay (`spec.retry.backoffSeconds`, default 10). */
  readonly backoffSeconds: number;
  /** Cap on any delay (`spec.retry.maxBackoffSeconds`, default 600). */
  readonly maxBackoffSeconds: number;
}

/**
 * Delay before retry number `retries` (1 for the first retry), in whole milliseconds.
 *
 * ceiling = min(backoffSeconds * 2^(retries-1), maxBackoffSeconds); the delay is drawn with EQUAL
 * jitter, uniformly from [ceiling/2, ceiling] (rounded up to a millisecond). Half the delay is
 * guaranteed, so retries never come back immediately; the other half is random, so jobs that
 * failed together (an agent died) spread out instead of retrying in lockstep. Hence:
 * - every delay is within [min(backoff, max)/2, max] seconds;
 * - the expected delay, 0.75 * ceiling, doubles per retry until it reaches 0.75 * max.
 *
 * `random` is a source in [0, 1) such as Math.random, passed in to keep this pure and testable;
 * out-of-range values are clamped. `retries` below 1 counts as 1; negative seconds count as 0.
 */
export function retryDelayMs(retries: number, policy: BackoffPolicy, random: () => number): number {
  const base = Math.max(0, policy.backoffSeconds) * 1000;
  const cap = Math.max(0, policy.maxBackoffSeconds) * 1000;
  if (base === 0 || cap === 0) return 0;
  const ceiling = exponentialBackoff({ baseMs: base, maxMs: cap })(Math.floor(retries) - 1);
  const r = Math.min(1, Math.max(0, random()));
  const half = ceiling / 2;
  return Math.min(Math.ceil(ceiling), Math.ceil(half + r * half));
}
