// One fenced status write: with the resourceVersion read, only while the attempt is still the agent's.
//
// Flow: check the fence on the copy we hold → PUT /status with its resourceVersion → on 409 re-read
// (GET) and check the fence again: if the attempt moved on (requeued, cancelled) the write is dropped,
// otherwise (someone changed labels, or the operator wrote a condition) it is recomputed and retried.
// Failures that may have landed (runtime/client's WriteOutcome rule: network, timeouts, 5xx) are
// retried with capped backoff for `retryForMs`, a 429 after its Retry-After; a re-read showing a
// status whose write lost its answer counts as written, however late it shows (a 429's never lands).
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "pino";
import type { Job, JobStatus } from "../api/index.js";
import { exponentialBackoff } from "../runtime/backoff/index.js";
import { composeTransforms, stripManagedFields, stripSpecFields } from "../runtime/cache/index.js";
import { failedWrite, isApiError, type ResourceClient } from "../runtime/client/index.js";
import { jsonEqual } from "../runtime/status/index.js";
import { holdsFence, type Fence } from "./status-updates.js";

export type FencedWriteResult =
  | { readonly outcome: "written"; readonly job: Job }
  /** The attempt is no longer ours: drop the write (and abort the handler). */
  | { readonly outcome: "fenced"; readonly job: Job }
  /** The Job was deleted. */
  | { readonly outcome: "gone" }
  /** `mutate` had nothing to change. */
  | { readonly outcome: "unchanged"; readonly job: Job }
  /** Refused, or failures that may be transient outlasted `retryForMs`; the operator's timeouts will recover the Job. */
  | { readonly outcome: "failed"; readonly error: unknown };

export interface FencedWriteOptions {
  readonly log: Logger;
  /** How long transient failures are retried. */
  readonly retryForMs: number;
  readonly signal?: AbortSignal;
}

const MAX_CONFLICTS = 10;
/** The wait before re-reading after the n-th transient failure or failed re-read of one write. */
const retryDelayMs = exponentialBackoff({ baseMs: 100, maxMs: 5000 });

// A PUT of /status takes only status from the body (the apiserver keeps the stored spec and
// managedFields), so the payload and its field set in managedFields stay home: they are the largest
// part of a Job, and a payload nested past the JSON encoder's stack could not be sent at all.
const statusBody = composeTransforms<Job>(stripManagedFields, stripSpecFields<Job>("payload"));

/** Writes `mutate(job)` as the status of `job` under `fence`; see the file comment. Never throws. */
export async function writeFenced(
  client: Pick<ResourceClient<Job>, "replaceStatus" | "get">,
  job: Job,
  fence: Fence,
  mutate: (job: Job) => JobStatus | undefined,
  options: FencedWriteOptions,
): Promise<FencedWriteResult> {
  const ref = { namespace: job.metadata.namespace, name: job.metadata.name ?? "" };
  const deadline = Date.now() + options.retryForMs;
  let current = job;
  let conflicts = 0;
  let retries = 0;
  // Statuses sent whose answer was lost (timeout, reset): any of them may have landed, and a later
  // 409 or re-read can be the first to show it.
  const unanswered: JobStatus[] = [];
  const landed = (read: Job): boolean => unanswered.some((sent) => jsonEqual(read.status, sent));
  for (;;) {
    if (!holdsFence(current, fence)) return { outcome: "fenced", job: current };
    const status = mutate(current);
    if (status === undefined || jsonEqual(status, current.status)) return { outcome: "unchanged", job: current };
    try {
      return { outcome: "written", job: await client.replaceStatus(statusBody({ ...current, status })) };
    } catch (err) {
      const failed = failedWrite(err);
      if (failed.outcome === "gone") return { outcome: "gone" };
      if (failed.outcome === "rejected") {
        options.log.warn({ err, job: ref.name, attempt: fence.attempt }, "job status write rejected");
        return { outcome: "failed", error: err };
      }
      if (failed.outcome === "unknown") unanswered.push(status);
      const outOfTime = failed.outcome !== "conflict" && Date.now() >= deadline;
      if ((failed.outcome === "conflict" && ++conflicts > MAX_CONFLICTS) || outOfTime || options.signal?.aborted) {
        // Giving up: one last look whether a write whose answer was lost landed after all.
        const last = unanswered.length > 0 ? await reread(client, ref) : undefined;
        if (last !== undefined && last !== "gone" && landed(last)) return { outcome: "written", job: last };
        return { outcome: "failed", error: err };
      }
      if (failed.outcome === "throttled") await delay(Math.min(failed.retryAfterMs, Math.max(0, deadline - Date.now())));
      if (failed.outcome === "unknown") {
        await delay(retryDelayMs(retries++));
      }
      options.log.debug({ job: ref.name, attempt: fence.attempt, outcome: failed.outcome }, "job status write not applied; re-reading");
      const fresh = await reread(client, ref);
      if (fresh === "gone") return { outcome: "gone" };
      if (fresh === undefined) {
        await delay(retryDelayMs(retries++));
        continue;
      }
      // A write whose answer was lost may have landed after all: then it is ours, not a fence.
      if (landed(fresh)) return { outcome: "written", job: fresh };
      current = fresh;
    }
  }
}

async function reread(client: Pick<ResourceClient<Job>, "get">, ref: { namespace: string | undefined; name: string }): Promise<Job | "gone" | undefined> {
  try {
    return await client.get(ref);
  } catch (err) {
    if (isApiError(err, "NotFound")) return "gone";
    return undefined;
  }
}
