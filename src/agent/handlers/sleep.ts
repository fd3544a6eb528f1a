// `sleep`: waits for a duration, reporting progress, and stops at once when aborted.
import { realClock, sleep as wait } from "../../runtime/clock/index.js";
import { parseDuration } from "../../runtime/config/index.js";
import { TerminalError } from "../errors.js";
import type { Handler } from "../types.js";

const STEPS = 10;

/**
 * Payload `{ duration: "300ms" }` (Go duration or milliseconds, default 1s) → result `{ sleptMs }`.
 * Any finite duration is waited in full (the clock chains timers past Node's 24.8-day limit); a long
 * one ends only by its signal: `spec.timeoutSeconds`, cancel, or a drain.
 */
export const sleep: Handler = async (payload, ctx) => {
  const raw = payload["duration"] ?? "1s";
  let ms: number;
  try {
    ms = typeof raw === "number" ? raw : parseDuration(typeof raw === "string" ? raw : JSON.stringify(raw));
  } catch (err) {
    throw new TerminalError(`payload.duration: ${err instanceof Error ? err.message : String(err)}`, "BadPayload");
  }
  if (!Number.isFinite(ms) || ms < 0) throw new TerminalError(`payload.duration must be a non-negative duration, got ${JSON.stringify(raw)}`, "BadPayload");
  for (let step = 1; step <= STEPS; step++) {
    await wait(realClock, ms / STEPS, ctx.signal);
    // Surface why the attempt stopped (signal.reason).
    ctx.signal.throwIfAborted();
    ctx.progress((step * 100) / STEPS, `slept ${Math.round((ms * step) / STEPS)}ms of ${Math.round(ms)}ms`);
  }
  return { sleptMs: Math.round(ms) };
};
