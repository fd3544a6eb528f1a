// Errors of the agent SDK, told apart by a literal `code`.

/** Why an attempt was aborted; the first reason wins. */
export type AbortCause =
  /** The Job left this agent: requeued elsewhere, attempt changed, or deleted. Nothing is written. */
  | "Fenced"
  /** `spec.cancel` was set; job-recovery writes Cancelled. Nothing is written. */
  | "Cancelled"
  /** The kill switch matched the Job; job-recovery requeues it. Nothing is written. */
  | "KillSwitch"
  /** `spec.timeoutSeconds` passed; reported as a failed attempt (reason Timeout). */
  | "Timeout"
  /** The agent drained past its grace period; the attempt is handed back (outcome Released). */
  | "Drain";

/** The `signal.reason` a handler sees when its attempt is aborted. */
export class AttemptAbortedError extends Error {
  readonly code = "AttemptAborted" as const;
  readonly retryable = false as const;

  constructor(readonly reason: AbortCause) {
    super(`attempt aborted: ${reason}`);
    this.name = "AbortError";
  }
}

/** Thrown by a handler to report a failure with its own CamelCase reason (default HandlerFailed); retried. */
export class HandlerError extends Error {
  readonly code = "HandlerFailed" as const;
  readonly retryable = true as const;

  constructor(
    message: string,
    readonly reason = "HandlerFailed",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HandlerError";
  }
}

/**
 * Thrown by a handler when no retry can succeed (a payload it refuses, a permanent refusal
 * downstream): the attempt is reported Failed with `reason` and `lastError.terminal`, and
 * job-recovery fails the Job at once without spending its retries. Default reason TerminalError.
 */
export class TerminalError extends Error {
  readonly code = "Terminal" as const;
  readonly retryable = false as const;

  constructor(
    message: string,
    readonly reason = "TerminalError",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** Agent options that cannot work (bad name, no handlers, ...). */
export class AgentConfigError extends Error {
  readonly code = "AgentConfig" as const;
  readonly retryable = false as const;

  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = "AgentConfigError";
  }
}
