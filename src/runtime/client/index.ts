// A typed REST client for any Kubernetes resource, core or custom, with errors named after what
// failed (`code`, HTTP `status`, `retryable`, the apiserver's message) and 429 Retry-After honoured.
export {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InternalError,
  InvalidError,
  KubeApiError,
  NetworkError,
  NotFoundError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
  UnavailableError,
  UnknownApiError,
  apiErrorFromResponse,
  apiErrorFromStatus,
  isApiError,
  parseStatus,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  toApiError,
  type ApiError,
  type ApiErrorCode,
  type ApiStatus,
  type StatusCause,
  type StatusDetails,
} from "./errors.js";
export { keyOf, objectKey, splitKey, type KubeObject, type ObjectList, type ObjectMeta, type ObjectRef } from "./object.js";
export { apiVersionOf, resourcePath, type ResourceType } from "./resource-type.js";
export {
  CONFIG_MAPS,
  EVENTS,
  LEASES,
  NAMESPACES,
  microTime,
  type ConfigMap,
  type KubeEvent,
  type Lease,
  type ObjectReference,
  type OwnerReference,
} from "./builtins.js";
export type { ClusterAccess } from "./cluster-access.js";
export { deleteUnchanged, type Deleter, type DeleteUnchangedOutcome } from "./delete-unchanged.js";
export { Transport, type TransportOptions } from "./transport.js";
export {
  ResourceClient,
  type DeleteOptions,
  type ListOptions,
  type PatchOptions,
  type ResourceReader,
  type StatusWriterClient,
  type WatchOptions,
} from "./resource-client.js";
export { failedWrite, mayHaveLanded, orThrow, settleByReading, type FailedWrite, type WriteOutcome } from "./write-outcome.js";
export { WatchDecodeError, type RawWatchEvent } from "./watch-stream.js";
