// How a Job ended, as the client reports it: Succeeded resolves, every other ending is a typed error.
import { jobPhase, type Job, type JobPhase } from "../api/index.js";
import { JobCancelledError, JobExpiredError, JobFailedError, type JobOutcomeError } from "./errors.js";

/** A Job that ended Succeeded, with its handler's result. */
export interface JobSucceeded {
  readonly phase: "Succeeded";
  /** `status.result`: the small JSON the handler returned, if any. */
  readonly result: Readonly<Record<string, unknown>> | undefined;
  readonly job: Job;
}

export type Settlement =
  | { readonly settled: false; readonly phase: JobPhase }
  | { readonly settled: true; readonly succeeded: JobSucceeded }
  | { readonly settled: true; readonly error: JobOutcomeError };

/** Whether `job` has ended, and how. */
export function settlementOf(job: Job): Settlement {
  const phase = jobPhase(job);
  const lastError = job.status?.lastError;
  switch (phase) {
    case "Succeeded":
      return { settled: true, succeeded: { phase, result: job.status?.result, job } };
    case "Failed":
      return { settled: true, error: new JobFailedError(job, lastError) };
    case "Expired":
      return { settled: true, error: new JobExpiredError(job, lastError) };
    case "Cancelled":
      return { settled: true, error: new JobCancelledError(job, lastError) };
    default:
      return { settled: false, phase };
  }
}
