// What the job client throws: each error has a literal `code` to switch on and carries what explains it.
import { formatIssues, formatJobError, type Job, type JobError } from "../api/index.js";
import type { z } from "zod";

/** A Job that ended other than Succeeded: the Job as it ended and the failure that ended it. */
abstract class JobEndedError extends Error {
  constructor(
    readonly job: Job,
    /** `status.lastError`. */
    readonly lastError: JobError | undefined,
    how: string,
  ) {
    super(`job ${job.metadata.name ?? ""} ${how}${describe(lastError)}`);
    this.name = new.target.name;
  }
}

/** The Job ended Failed: its retries are spent or the failure was terminal. */
export class JobFailedError extends JobEndedError {
  readonly code = "JobFailed" as const;
  constructor(job: Job, lastError: JobError | undefined) {
    super(job, lastError, "failed");
  }
}

/** The Job ended Expired: it waited longer than `spec.maxQueueSeconds` for an agent. */
export class JobExpiredError extends JobEndedError {
  readonly code = "JobExpired" as const;
  constructor(job: Job, lastError: JobError | undefined) {
    super(job, lastError, "expired");
  }
}

/** The Job ended Cancelled (`spec.cancel`). */
export class JobCancelledError extends JobEndedError {
  readonly code = "JobCancelled" as const;
  constructor(job: Job, lastError: JobError | undefined) {
    super(job, lastError, "was cancelled");
  }
}

/** `waitFor` gave up before the Job finished; the Job itself goes on. */
export class WaitTimeoutError extends Error {
  readonly code = "WaitTimeout" as const;
  constructor(
    readonly jobName: string,
    readonly timeoutMs: number,
    /** The Job as last seen, if it was seen at all. */
    readonly job: Job | undefined,
  ) {
    super(`job ${jobName} did not finish within ${timeoutMs} ms (phase ${job?.status?.phase ?? "Pending"})`);
    this.name = "WaitTimeoutError";
  }
}

/** A spec or option refused before any request was sent; `message` names each field (zod path) to fix. */
export class InvalidJobSpecError extends Error {
  readonly code = "InvalidJobSpec" as const;
  constructor(readonly issues: readonly z.core.$ZodIssue[], prefix = "") {
    super(`invalid job: ${formatIssues(issues.map((i) => ({ ...i, path: prefix === "" ? i.path : [prefix, ...i.path] })))}`);
    this.name = "InvalidJobSpecError";
  }
}

/** The idempotency key was used before for a different Job (another spec), or its name is taken by one without the key. */
export class IdempotencyConflictError extends Error {
  readonly code = "IdempotencyConflict" as const;
  constructor(
    readonly idempotencyKey: string,
    /** The Job that holds the key's name. */
    readonly existing: Job,
    reason: string,
  ) {
    super(`idempotency key ${JSON.stringify(idempotencyKey)}: ${reason}`);
    this.name = "IdempotencyConflictError";
  }
}

/** `submitMany` stopped at a request that failed; `submitted` holds what was created before it (idempotency keys make a rerun safe). */
export class SubmitManyError extends Error {
  readonly code = "SubmitMany" as const;
  constructor(
    /** The index of the request that failed. */
    readonly index: number,
    /** One entry per request: the outcome, or undefined for those not submitted. */
    readonly submitted: readonly (Submitted | undefined)[],
    options: { readonly cause: unknown },
  ) {
    super(`submitting request ${index} failed: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
    this.name = "SubmitManyError";
  }
}

/** What `submit` returns: the Job and its name, and whether this call created it or found it (same idempotency key). */
export interface Submitted {
  readonly name: string;
  readonly job: Job;
  readonly created: boolean;
}

/** The ways a Job can end other than Succeeded, as errors. */
export type JobOutcomeError = JobFailedError | JobExpiredError | JobCancelledError;

function describe(error: JobError | undefined): string {
  return error === undefined ? "" : `: ${formatJobError(error)}`;
}
