// What a failed watch does next: watch again from the same resourceVersion, or relist.
import { isApiError } from "../client/index.js";
import { StaleWatchError } from "./errors.js";

/** Failed watches in a row, none delivering an event, after which the watcher relists whatever the cause. */
export const MAX_REWATCHES_WITHOUT_PROGRESS = 3;

/**
 * Re-watching from the remembered resourceVersion is right when the failure said nothing about that
 * version: the network dropped (or went silent), the server was overloaded or unavailable. When the
 * server judged the request and refused it (410 Gone, a 500 such as "etcd event received with
 * PrevKv=nil" that a watch served from etcd returns once compaction passed the version's
 * predecessors, any other status), the same request would fail the same way: relist, as client-go's
 * reflector does. A run of failures without progress relists too, so no cause can pin an informer
 * to a version for good.
 */
export function recoveryAfterWatchFailure(error: unknown, failuresWithoutProgress: number): "rewatch" | "relist" {
  if (failuresWithoutProgress >= MAX_REWATCHES_WITHOUT_PROGRESS) return "relist";
  if (error instanceof StaleWatchError) return "rewatch";
  if (isApiError(error, "Network") || isApiError(error, "Timeout") || isApiError(error, "TooManyRequests") || isApiError(error, "Unavailable")) {
    return "rewatch";
  }
  return isApiError(error) ? "relist" : "rewatch";
}
