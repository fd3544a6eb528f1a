// Bounds what a handler returns to what a Job's status.result may hold (a small JSON object).
import { jsonDepth, LIMITS, type JobError } from "../api/index.js";
import { AGENT_ERROR_REASONS } from "./status-updates.js";

export type BoundedResult =
  | { readonly ok: true; readonly result: Record<string, unknown> | undefined }
  | { readonly ok: false; readonly error: JobError };

/**
 * A plain object passes as is; another JSON value is wrapped as `{ value }`; nothing gives no result.
 * A result over `LIMITS.resultBytes` of JSON, `LIMITS.resultProperties` keys or `LIMITS.jsonDepth` levels, or not JSON at all, is
 * replaced by a `ResultTooLarge` error: the attempt is reported Failed, never half-written.
 */
export function boundResult(value: unknown): BoundedResult {
  if (value === undefined || value === null) return { ok: true, result: undefined };
  const result = isPlainObject(value) ? value : { value };
  // Depth first: JSON.stringify throws RangeError on a value nested past its stack (or a cycle).
  if (jsonDepth(result, LIMITS.jsonDepth) > LIMITS.jsonDepth) return tooLarge(`result nests more than ${LIMITS.jsonDepth} levels deep`);
  let bytes: number;
  try {
    // A round trip also drops what JSON cannot carry (functions, undefined) the way the wire would.
    const text = JSON.stringify(result);
    bytes = Buffer.byteLength(text);
    const keys = Object.keys(result).length;
    if (keys > LIMITS.resultProperties) return tooLarge(`result has ${keys} top-level keys (at most ${LIMITS.resultProperties})`);
    if (bytes > LIMITS.resultBytes) return tooLarge(`result is ${bytes} bytes of JSON (at most ${LIMITS.resultBytes})`);
    return { ok: true, result: JSON.parse(text) as Record<string, unknown> };
  } catch (err) {
    return tooLarge(`result is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function tooLarge(message: string): BoundedResult {
  // The same handler returns the same result on a retry: terminal.
  return { ok: false, error: { reason: AGENT_ERROR_REASONS.resultTooLarge, message, terminal: true } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
