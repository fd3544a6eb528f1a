// `exec`: runs an allow-listed command with an argv array (no shell), bounded in time and output.
import { execFile } from "node:child_process";
import { HandlerError, TerminalError } from "../errors.js";
import type { Handler } from "../types.js";

export interface ExecOptions {
  /** Commands (as given in payload.command) that may run; empty means exec is off. */
  readonly allow: readonly string[];
  /** Default 60 s; payload.timeoutSeconds may lower it. */
  readonly timeoutMs?: number;
  /** Bytes kept of stdout and of stderr each. Default 4096. */
  readonly maxOutputBytes?: number;
}

/**
 * Payload `{ command: "name", args: ["a", "b"] }` → result `{ exitCode, stdout, stderr }`. A non-zero
 * exit, a timeout or an abort fails the attempt; a command not in the allow list or args that are not
 * strings fail the Job at once (terminal: this agent would refuse it on every attempt).
 */
export function execHandler(options: ExecOptions): Handler {
  const allow = new Set(options.allow);
  const maxOutput = options.maxOutputBytes ?? 4096;
  return (payload, ctx) => {
    const command = payload["command"];
    const args = payload["args"] ?? [];
    if (typeof command !== "string" || !allow.has(command)) {
      return Promise.reject(new TerminalError(`command ${JSON.stringify(command)} is not allowed (--allow-exec lists: ${[...allow].join(", ") || "nothing"})`, "ExecNotAllowed"));
    }
    if (!Array.isArray(args) || !args.every((a): a is string => typeof a === "string")) {
      return Promise.reject(new TerminalError("payload.args must be an array of strings", "BadPayload"));
    }
    const requested = Number(payload["timeoutSeconds"]);
    const timeout = Number.isFinite(requested) && requested > 0 ? Math.min(requested * 1000, options.timeoutMs ?? 60_000) : (options.timeoutMs ?? 60_000);
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { shell: false, timeout, maxBuffer: 1024 * 1024, signal: ctx.signal, windowsHide: true },
        (err, stdout, stderr) => {
          const out = { stdout: clip(stdout, maxOutput), stderr: clip(stderr, maxOutput) };
          if (err === null) return resolve({ exitCode: 0, ...out });
          if (ctx.signal.aborted) return reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : err);
          const code = typeof err.code === "number" ? err.code : undefined;
          const reason = err.killed ? "ExecTimeout" : code === undefined ? "ExecFailed" : "ExitCode";
          reject(new HandlerError(`${command} ${code === undefined ? `failed: ${err.message}` : `exited with ${code}`}: ${out.stderr}`, reason));
        },
      );
    });
  };
}

function clip(text: string, max: number): string {
  const bytes = Buffer.from(text);
  return bytes.length <= max ? text : `${bytes.subarray(0, max).toString("utf8")}…`;
}
