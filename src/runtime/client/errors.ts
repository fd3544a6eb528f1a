// Errors from the Kubernetes API: one class per failure, told apart by a literal `code`.
//
// `retryable` answers one question: may the SAME request succeed if sent again later, unchanged?
// Conflict and Gone are not retryable in that sense: the caller must re-read (or relist) first.

/** One cause inside a Status' details (e.g. a field that failed validation). */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** `Status.details` as the apiserver sends it. */
export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** The fields of a metav1.Status that errors carry. */
export interface ApiStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: StatusDetails;
}

export type ApiErrorCode =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "Conflict"
  | "AlreadyExists"
  | "Gone"
  | "Invalid"
  | "TooManyRequests"
  | "Timeout"
  | "Internal"
  | "Unavailable"
  | "Network"
  | "Unknown";

export interface ApiErrorInit {
  readonly message: string;
  /** HTTP status; undefined when no response arrived (network failure). */
  readonly status?: number | undefined;
  /** `Status.reason` from the apiserver, e.g. `AlreadyExists`, `Expired`. */
  readonly reason?: string | undefined;
  readonly details?: StatusDetails | undefined;
  /** Seconds the server asked us to wait (Retry-After header or details.retryAfterSeconds). */
  readonly retryAfterSeconds?: number | undefined;
  readonly cause?: unknown;
}

/** Base of every API error; switch on `code` to tell them apart. */
export abstract class KubeApiError extends Error {
  abstract readonly code: ApiErrorCode;
  abstract readonly retryable: boolean;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly details: StatusDetails | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.reason = init.reason;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** 400: the request is malformed. */
export class BadRequestError extends KubeApiError {
  readonly code = "BadRequest";
  readonly retryable = false;
}
/** 401: no or bad credentials. */
export class UnauthorizedError extends KubeApiError {
  readonly code = "Unauthorized";
  readonly retryable = false;
}
/** 403: RBAC (or an admission policy) denied the request. */
export class ForbiddenError extends KubeApiError {
  readonly code = "Forbidden";
  readonly retryable = false;
}
/** 404: the object (or its namespace, or the resource type) does not exist. */
export class NotFoundError extends KubeApiError {
  readonly code = "NotFound";
  readonly retryable = false;
}
/** 409: the resourceVersion we sent is stale; re-read and decide again. An outcome, not a fault. */
export class ConflictError extends KubeApiError {
  readonly code = "Conflict";
  readonly retryable = false;
}
/** 409 with reason AlreadyExists: a create hit an existing name (idempotent submit). */
export class AlreadyExistsError extends KubeApiError {
  readonly code = "AlreadyExists";
  readonly retryable = false;
}
/** 410: the resourceVersion is older than etcd's compaction or the watch cache; relist. */
export class GoneError extends KubeApiError {
  readonly code = "Gone";
  readonly retryable = false;
}
/** 422: validation (schema, CEL rule, admission policy) rejected the object; see `details.causes`. */
export class InvalidError extends KubeApiError {
  readonly code = "Invalid";
  readonly retryable = false;
}
/** 429: throttled by API priority and fairness; wait `retryAfterSeconds`. */
export class TooManyRequestsError extends KubeApiError {
  readonly code = "TooManyRequests";
  readonly retryable = true;
}
/** 504, Status reason Timeout, or our own client-side deadline. */
export class TimeoutError extends KubeApiError {
  readonly code = "Timeout";
  readonly retryable = true;
}
/** 500: the apiserver failed; usually transient (etcd hiccup). */
export class InternalError extends KubeApiError {
  readonly code = "Internal";
  readonly retryable = true;
}
/** 502/503: the apiserver is starting, shutting down, or behind an unhappy proxy. */
export class UnavailableError extends KubeApiError {
  readonly code = "Unavailable";
  readonly retryable = true;
}
/** No HTTP response: connection refused or reset, DNS, TLS. */
export class NetworkError extends KubeApiError {
  readonly code = "Network";
  readonly retryable = true;
}
/** Any other status; retryable only for 5xx. */
export class UnknownApiError extends KubeApiError {
  readonly code = "Unknown";
  get retryable(): boolean {
    return this.status !== undefined && this.status >= 500;
  }
}

/** Every concrete API error, discriminated by `code`. */
export type ApiError =
  | BadRequestError
  | UnauthorizedError
  | ForbiddenError
  | NotFoundError
  | ConflictError
  | AlreadyExistsError
  | GoneError
  | InvalidError
  | TooManyRequestsError
  | TimeoutError
  | InternalError
  | UnavailableError
  | NetworkError
  | UnknownApiError;

/** True when `err` is an API error, optionally of one `code`; narrows to that class. */
export function isApiError(err: unknown): err is ApiError;
export function isApiError<C extends ApiErrorCode>(err: unknown, code: C): err is Extract<ApiError, { code: C }>;
export function isApiError(err: unknown, code?: ApiErrorCode): boolean {
  return err instanceof KubeApiError && (code === undefined || err.code === code);
}

/** Parses the apiserver's raw body as a metav1.Status; undefined when it is not one. */
export function parseStatus(body: string): ApiStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  return statusFromObject(parsed);
}

/** Reads a metav1.Status out of an already-parsed value (e.g. a watch ERROR event's object). */
export function statusFromObject(value: unknown): ApiStatus | undefined {
  if (!isRecord(value) || value["kind"] !== "Status") return undefined;
  const code = typeof value["code"] === "number" ? value["code"] : 0;
  const reason = typeof value["reason"] === "string" ? value["reason"] : "";
  const message = typeof value["message"] === "string" ? value["message"] : "";
  const details = isRecord(value["details"]) ? (value["details"] as StatusDetails) : undefined;
  return details === undefined ? { code, reason, message } : { code, reason, message, details };
}

/** Parses a Retry-After header (delay-seconds form; HTTP dates are not sent by the apiserver). */
export function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number.parseInt(header, 10);
}

/** Builds the error for an HTTP response that was not 2xx. */
export function apiErrorFromResponse(
  status: number,
  body: string,
  retryAfterHeader?: string,
  cause?: unknown,
): ApiError {
  const parsed = parseStatus(body);
  const message = parsed?.message || body.trim().slice(0, 500) || `HTTP ${status}`;
  return apiErrorFromStatus(
    { code: status, reason: parsed?.reason ?? "", message, ...(parsed?.details ? { details: parsed.details } : {}) },
    parseRetryAfter(retryAfterHeader),
    cause,
  );
}

/** Builds the error a metav1.Status describes (HTTP error body or watch ERROR event). */
export function apiErrorFromStatus(status: ApiStatus, retryAfterSeconds?: number, cause?: unknown): ApiError {
  const init: ApiErrorInit = {
    message: status.message || status.reason || `HTTP ${status.code}`,
    status: status.code,
    reason: status.reason || undefined,
    details: status.details,
    retryAfterSeconds: retryAfterSeconds ?? status.details?.retryAfterSeconds,
    cause,
  };
  switch (status.code) {
    case 400:
      return new BadRequestError(init);
    case 401:
      return new UnauthorizedError(init);
    case 403:
      return new ForbiddenError(init);
    case 404:
      return new NotFoundError(init);
    case 409:
      return status.reason === "AlreadyExists" ? new AlreadyExistsError(init) : new ConflictError(init);
    case 410:
      return new GoneError(init);
    case 422:
      return new InvalidError(init);
    case 429:
      return new TooManyRequestsError(init);
    case 504:
      return new TimeoutError(init);
    case 500:
      return status.reason === "Timeout" ? new TimeoutError(init) : new InternalError(init);
    case 502:
    case 503:
      return new UnavailableError(init);
    default:
      // A watch ERROR event may carry reason without a usable code (old servers).
      if (status.reason === "Expired" || status.reason === "Gone") return new GoneError(init);
      return new UnknownApiError(init);
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/**
 * Converts what a request threw into an API error: our own errors pass through, client-node's
 * ApiException (raw JSON body) and socket errors are translated; anything else (a bug) gives
 * undefined so it is not mistaken for a transient failure.
 */
export function toApiError(err: unknown): ApiError | undefined {
  if (isApiError(err)) return err;
  if (!isRecord(err)) return undefined;
  // client-node ApiException: numeric `code`, `body` raw text (or parsed), `headers`.
  if (typeof err["code"] === "number" && "body" in err) {
    const body = typeof err["body"] === "string" ? err["body"] : JSON.stringify(err["body"] ?? "");
    const headers = isRecord(err["headers"]) ? err["headers"] : {};
    const retryAfter = headers["retry-after"] ?? headers["Retry-After"];
    return apiErrorFromResponse(err["code"], body, typeof retryAfter === "string" ? retryAfter : undefined, err);
  }
  if (typeof err["code"] === "string" && NETWORK_CODES.has(err["code"])) {
    const message = typeof err["message"] === "string" ? err["message"] : err["code"];
    return new NetworkError({ message, cause: err });
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** A confused server's Retry-After cannot park a request, a key or a job longer than this. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** How long a 429 asks the client to wait: its Retry-After, 1 s when it gave none, at most `capMs`. */
export function retryAfterMs(error: { readonly retryAfterSeconds?: number | undefined }, capMs: number): number {
  return Math.min((error.retryAfterSeconds ?? 1) * 1000, capMs);
}
