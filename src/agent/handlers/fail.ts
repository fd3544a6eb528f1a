// `fail`: fails its first N attempts, then succeeds; for trying retries and the circuit breaker.
import { HandlerError, TerminalError } from "../errors.js";
import type { Handler } from "../types.js";

/** `times` that fails every attempt. */
const FOREVER = -1;

/**
 * Payload `{ times: N }` (default 1; -1 fails forever). Attempts are counted by `status.retries`:
 * job-recovery adds one per failed attempt it requeues, so the (N+1)th try succeeds. Any other
 * `times` than -1 or a whole number from 0 up is a BadPayload (terminal: no retry can fix it).
 */
export const fail: Handler = (payload, ctx) => {
  const raw = payload["times"] ?? 1;
  if (typeof raw !== "number" || !Number.isSafeInteger(raw) || raw < FOREVER) {
    return Promise.reject(new TerminalError(`payload.times must be -1 (fail forever) or a whole number from 0 up, got ${JSON.stringify(raw)}`, "BadPayload"));
  }
  if (raw === FOREVER || ctx.retries < raw) {
    return Promise.reject(new HandlerError(`failing on purpose (try ${ctx.retries + 1} of ${raw === FOREVER ? "∞" : raw} failures)`, "InjectedFailure"));
  }
  return Promise.resolve({ failedBefore: ctx.retries });
};
