// `sleep`: waits for a duration, reporting progress, and stops at once when aborted.
import { setTimeout as delay } from "node:timers/promises";
import { parseDuration } from "../../runtime/config/index.js";
import { HandlerError } from "../errors.js";
import type { Handler } from "../types.js";

const STEPS = 10;

/** Payload `{ duration: "300ms" }` (Go duration, default 1s) → result `{ sleptMs }`. */
export const sleep: Handler = async (payload, ctx) => {
  const raw = payload["duration"] ?? "1s";
  let ms: number;
  try {
    ms = typeof raw === "number" ? raw : parseDuration(typeof raw === "string" ? raw : JSON.stringify(raw));
  } catch (err) {
    throw new HandlerError(`payload.duration: ${err instanceof Error ? err.message : String(err)}`, "BadPayload");
  }
  if (!Number.isFinite(ms) || ms < 0) throw new HandlerError(`payload.duration must be a non-negative duration, got ${JSON.stringify(raw)}`, "BadPayload");
  for (let step = 1; step <= STEPS; step++) {
    try {
      await delay(ms / STEPS, undefined, { signal: ctx.signal });
    } catch (err) {
      // Surface why the attempt stopped (signal.reason), not the timer's generic AbortError.
      throw ctx.signal.reason instanceof Error ? ctx.signal.reason : err;
    }
    ctx.progress((step * 100) / STEPS, `slept ${Math.round((ms * step) / STEPS)}ms of ${Math.round(ms)}ms`);
  }
  return { sleptMs: Math.round(ms) };
};
