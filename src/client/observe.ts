// Jobs observed live as an async iterator: the runtime's list+watch (relists, reconnects) behind a pull interface.
import type { Job } from "../api/index.js";
import { isApiError, type ResourceReader } from "../runtime/client/index.js";
import { Watcher, type WatcherEvent, type WatcherNotice } from "../runtime/watch/index.js";
import type { Observation } from "./job-events.js";

export interface Selection {
  /** Omit for every namespace. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

/**
 * Yields the Jobs of `selection`: first the complete list, then every change, and a complete list
 * again after the watch was lost and recovered. Network failures and 5xx are retried with backoff;
 * a refusal that retrying cannot fix (403, 401, 400, 404) ends the iteration with that error.
 * Ends when `signal` aborts or the consumer stops iterating.
 */
export async function* observeJobs(jobs: ResourceReader<Job>, selection: Selection, signal?: AbortSignal): AsyncGenerator<Observation, void, undefined> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const queue: Observation[] = [];
  let failure: { readonly error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notifyConsumer = (): void => {
    wake?.();
    wake = undefined;
  };
  const emit = (event: WatcherEvent<Job>): void => {
    if (event.type === "Listed") queue.push({ type: "listed", jobs: event.objects });
    else if (event.type === "Added" || event.type === "Modified") queue.push({ type: "changed", job: event.object });
    else if (event.type === "Deleted") queue.push({ type: "deleted", job: event.object });
    notifyConsumer();
  };
  const notice = (n: WatcherNotice): void => {
    if (n.type === "Failed" && isApiError(n.error) && !n.error.retryable && !isApiError(n.error, "Gone")) {
      failure ??= { error: n.error };
      stop.abort(n.error);
    }
  };
  const running = new Watcher(jobs, selection)
    .run(stop.signal, emit, notice)
    .catch((error: unknown) => {
      failure ??= { error };
    })
    .finally(notifyConsumer);
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (signal?.aborted) throw signal.reason;
      // The watcher runs until stopped; stopped without a failure means the caller's signal.
      if (stop.signal.aborted) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop.abort();
    await running;
  }
}
