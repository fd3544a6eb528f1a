// Submitting many Jobs with bounded concurrency, and backpressure on 429: one Retry-After holds the whole batch.
import { MAX_RETRY_AFTER_MS, retryAfterMs, TooManyRequestsError } from "../runtime/client/index.js";
import { realClock, sleep, type Clock } from "../runtime/clock/index.js";
import { SubmitManyError, type Submitted } from "./errors.js";

export interface BatchOptions {
  /** Requests in flight at once, 1 to 100. Default 8. */
  readonly concurrency?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called when a 429 holds the batch, with how long. */
  readonly onThrottled?: ((waitMs: number) => void) | undefined;
  /** The clock the holds are timed on (tests). */
  readonly clock?: Clock | undefined;
}

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 100;
/** Upper bound of one hold, so a confused Retry-After cannot park the batch. */
export const MAX_HOLD_MS = MAX_RETRY_AFTER_MS;
/** 429s in a row one request accepts before the batch gives up on it. */
export const MAX_THROTTLES_PER_REQUEST = 20;

/**
 * Runs `submit` over `requests`, at most `concurrency` at a time, returning the outcomes in order.
 * `submit` must throw a 429 at once (not wait it out): every worker then waits until the
 * Retry-After (1 s when absent) has passed before its next request, and the throttled request is sent
 * again. The first other failure stops new requests and ends holds; those in flight finish.
 * @throws SubmitManyError naming the failed request, with the outcomes of those that completed.
 */
export async function submitBatch<R>(
  requests: readonly R[],
  submit: (request: R, signal: AbortSignal | undefined) => Promise<Submitted>,
  options: BatchOptions = {},
): Promise<Submitted[]> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new RangeError(`concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${concurrency}`);
  }
  const clock = options.clock ?? realClock;
  const signal = options.signal;
  const stop = new AbortController();
  const stopped = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const outcomes: (Submitted | undefined)[] = Array.from({ length: requests.length }, () => undefined);
  let next = 0;
  let failure: { readonly index: number; readonly error: unknown } | undefined;
  let heldUntil = 0;

  const submitWithBackpressure = async (request: R): Promise<Submitted> => {
    for (let throttles = 0; ; ) {
      for (let wait = heldUntil - clock.now(); wait > 0; wait = heldUntil - clock.now()) {
        stopped.throwIfAborted();
        await sleep(clock, wait, stopped);
      }
      stopped.throwIfAborted();
      try {
        return await submit(request, signal);
      } catch (err) {
        if (!(err instanceof TooManyRequestsError) || ++throttles > MAX_THROTTLES_PER_REQUEST) throw err;
        const holdMs = retryAfterMs(err, MAX_HOLD_MS);
        heldUntil = Math.max(heldUntil, clock.now() + holdMs);
        options.onThrottled?.(holdMs);
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < requests.length) {
      const index = next++;
      try {
        outcomes[index] = await submitWithBackpressure(requests[index] as R);
      } catch (error) {
        if (failure === undefined && !stop.signal.aborted) {
          failure = { index, error };
          stop.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  if (signal?.aborted) throw signal.reason;
  if (failure !== undefined) throw new SubmitManyError(failure.index, outcomes, { cause: failure.error });
  return outcomes.filter((o) => o !== undefined);
}
