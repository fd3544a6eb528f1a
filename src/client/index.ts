// The job client for producers: submit Jobs (idempotently, in bulk with backpressure), list, cancel,
// wait for their outcome and watch them, typed from the API's zod schemas. It loads no more than it
// needs: @kubernetes/client-node only for kubeconfigs with exec plugins or auth providers.
export { connectJobClient, type ConnectOptions } from "./connect.js";
export {
  IdempotencyConflictError,
  InvalidJobSpecError,
  JobCancelledError,
  JobExpiredError,
  JobFailedError,
  SubmitManyError,
  WaitTimeoutError,
  type JobOutcomeError,
  type Submitted,
} from "./errors.js";
export type { JobEvent } from "./job-events.js";
export {
  cancelJob,
  JobClient,
  type CancelOutcome,
  type InNamespace,
  type JobSpecInput,
  type ListJobsOptions,
  type SubmitOptions,
  type SubmitRequest,
  type WaitOptions,
  type WatchJobsOptions,
} from "./job-client.js";
export { IDEMPOTENCY_KEY_ANNOTATION, idempotentName } from "./naming.js";
export { settlementOf, type JobSucceeded, type Settlement } from "./outcome.js";
export { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, type BatchOptions } from "./submit-many.js";
export { NotFoundError, type ApiError } from "../runtime/client/index.js";
export type { Job, JobError, JobPhase, JobProgress, JobSpec, JobStatus } from "../api/index.js";
export { KubeconfigError } from "../runtime/kubeconfig/index.js";
