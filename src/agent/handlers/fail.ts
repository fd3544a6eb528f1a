// `fail`: fails its first N attempts, then succeeds; for trying retries and the circuit breaker.
import { HandlerError } from "../errors.js";
import type { Handler } from "../types.js";

/**
 * Payload `{ times: N }` (default 1; -1 fails forever). Attempts are counted by `status.retries`:
 * job-recovery adds one per failed attempt it requeues, so the (N+1)th try succeeds.
 */
export const fail: Handler = (payload, ctx) => {
  const times = Number(payload["times"] ?? 1);
  if (!Number.isInteger(times)) return Promise.reject(new HandlerError(`payload.times must be an integer, got ${JSON.stringify(payload["times"])}`, "BadPayload"));
  if (times < 0 || ctx.retries < times) {
    return Promise.reject(new HandlerError(`failing on purpose (try ${ctx.retries + 1} of ${times < 0 ? "∞" : times} failures)`, "InjectedFailure"));
  }
  return Promise.resolve({ failedBefore: ctx.retries });
};
