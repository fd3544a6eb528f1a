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

export type Ending =
  | { readonly ended: false; readonly phase: JobPhase }
  | { readonly ended: true; readonly succeeded: JobSucceeded }
  | { readonly ended: true; readonly error: JobOutcomeError };

/** Whether `job` has ended (reached a terminal phase), and how. */
export function endingOf(job: Job): Ending {
  const phase = jobPhase(job);
  const lastError = job.status?.lastError;
  switch (phase) {
    case "Succeeded":
      return { ended: true, succeeded: { phase, result: job.status?.result, job } };
    case "Failed":
      return { ended: true, error: new JobFailedError(job, lastError) };
    case "Expired":
      return { ended: true, error: new JobExpiredError(job, lastError) };
    case "Cancelled":
      return { ended: true, error: new JobCancelledError(job, lastError) };
    default:
      return { ended: false, phase };
  }
}
