// What `helios submit` and `helios wait` print and which exit code says how the Job ended.
import type { Job } from "../../api/index.js";
import type { JobOutcomeError, JobSucceeded, Submitted } from "../../client/index.js";
import { formatDocument } from "./format.js";

/** `-o` of submit and wait: kubectl's `name`, or the Job as a document. Default: the result (wait) or a line (submit). */
export const SUBMIT_OUTPUT_FORMATS = ["name", "json", "yaml"] as const;
export type SubmitOutputFormat = (typeof SUBMIT_OUTPUT_FORMATS)[number];

/** The exit code of a wait, by how it ended; 1 and 2 stay errors and bad usage. */
export const WAIT_EXIT_CODES = { Succeeded: 0, Failed: 3, Expired: 4, Cancelled: 5, WaitTimeout: 6 } as const;

/** `job.helios.dev/NAME`, as kubectl -o name prints it. */
export function jobReference(job: Job): string {
  return `job.helios.dev/${job.metadata.name ?? ""}`;
}

/** What a submission prints without --wait. */
export function describeSubmitted(submitted: Submitted, format: SubmitOutputFormat | undefined): string {
  if (format === "name") return `${jobReference(submitted.job)}\n`;
  if (format === "json" || format === "yaml") return formatDocument(submitted.job, format);
  return submitted.created
    ? `${jobReference(submitted.job)} created\n`
    : `${jobReference(submitted.job)} unchanged (submitted before with this idempotency key)\n`;
}

/** What a successful wait prints on stdout: the result as JSON by default, the Job with -o json|yaml. */
export function describeSucceeded(outcome: JobSucceeded, format: SubmitOutputFormat | undefined): string {
  if (format === "name") return `${jobReference(outcome.job)}\n`;
  if (format === "json" || format === "yaml") return formatDocument(outcome.job, format);
  return outcome.result === undefined ? "" : `${JSON.stringify(outcome.result, null, 2)}\n`;
}

/** The stderr line of a Job that ended otherwise: its phase and last error. */
export function describeEnding(error: JobOutcomeError): string {
  const lastError = error.lastError;
  const why = lastError === undefined ? "" : `: ${lastError.reason}: ${lastError.message}`;
  const phase = error.job.status?.phase ?? "";
  return `${jobReference(error.job)} ${phase.toLowerCase()}${why}\n`;
}
