// Error mapping from apiserver answers (raw JSON bodies, headers, socket errors) to named errors.
import { describe, expect, it } from "vitest";
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  InvalidError,
  NetworkError,
  TooManyRequestsError,
  UnknownApiError,
  apiErrorFromResponse,
  apiErrorFromStatus,
  isApiError,
  parseStatus,
  toApiError,
} from "../../../../src/runtime/client/index.js";

const status = (code: number, reason: string, message: string, details?: object): string =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code, ...(details ? { details } : {}) });

describe("apiErrorFromResponse", () => {
  it("names a 409 Conflict and keeps the apiserver's message", () => {
    const body = status(409, "Conflict", 'Operation cannot be fulfilled on jobs.helios.dev "a": the object has been modified', { name: "a", kind: "jobs" });
    const err = apiErrorFromResponse(409, body);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.code).toBe("Conflict");
    expect(err.status).toBe(409);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("the object has been modified");
    expect(err.details?.name).toBe("a");
  });

  it("tells AlreadyExists apart from Conflict by reason", () => {
    const err = apiErrorFromResponse(409, status(409, "AlreadyExists", 'jobs.helios.dev "a" already exists'));
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(isApiError(err, "AlreadyExists")).toBe(true);
    expect(isApiError(err, "Conflict")).toBe(false);
  });

  it("carries validation causes on 422", () => {
    const causes = [{ reason: "FieldValueInvalid", message: "spec.type: Required value", field: "spec.type" }];
    const err = apiErrorFromResponse(422, status(422, "Invalid", "Job is invalid", { causes }));
    expect(err).toBeInstanceOf(InvalidError);
    expect(err.details?.causes).toEqual(causes);
  });

  it("reads Retry-After on 429 and marks it retryable", () => {
    const err = apiErrorFromResponse(429, status(429, "TooManyRequests", "too many requests"), "7");
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err.retryAfterSeconds).toBe(7);
    expect(err.retryable).toBe(true);
  });

  it("falls back to details.retryAfterSeconds and ignores malformed headers", () => {
    const err = apiErrorFromResponse(429, status(429, "TooManyRequests", "slow down", { retryAfterSeconds: 3 }), "soon");
    expect(err.retryAfterSeconds).toBe(3);
  });

  it("keeps a non-JSON body (e.g. from a proxy) as the message", () => {
    const err = apiErrorFromResponse(502, "<html>Bad Gateway</html>");
    expect(err.code).toBe("Unavailable");
    expect(err.message).toBe("<html>Bad Gateway</html>");
    expect(err.retryable).toBe(true);
  });

  it("maps 410 and an Expired watch status to Gone", () => {
    expect(apiErrorFromResponse(410, status(410, "Expired", "too old resource version: 5 (90)"))).toBeInstanceOf(GoneError);
    expect(apiErrorFromStatus({ code: 0, reason: "Expired", message: "too old" })).toBeInstanceOf(GoneError);
  });

  it("marks unknown 5xx retryable and unknown 4xx not", () => {
    expect(apiErrorFromResponse(507, "")).toBeInstanceOf(UnknownApiError);
    expect(apiErrorFromResponse(507, "").retryable).toBe(true);
    expect(apiErrorFromResponse(418, "").retryable).toBe(false);
  });
});

describe("parseStatus", () => {
  it("returns undefined for JSON that is not a Status", () => {
    expect(parseStatus('{"kind":"ConfigMap"}')).toBeUndefined();
    expect(parseStatus("not json")).toBeUndefined();
  });
});

describe("toApiError", () => {
  it("translates client-node's ApiException (raw JSON body, headers)", () => {
    const exception = Object.assign(new Error("HTTP-Code: 409"), {
      code: 409,
      body: status(409, "Conflict", "the object has been modified"),
      headers: {},
    });
    const err = toApiError(exception);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err?.cause).toBe(exception);
  });

  it("translates socket errors to NetworkError", () => {
    const socketError = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
    const err = toApiError(socketError);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err?.retryable).toBe(true);
  });

  it("leaves programming errors alone", () => {
    expect(toApiError(new TypeError("x is undefined"))).toBeUndefined();
    expect(toApiError("boom")).toBeUndefined();
  });
});
