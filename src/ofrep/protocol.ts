// The OpenFeature Remote Evaluation Protocol (OFREP 0.3, open-feature/protocol service/openapi.yaml)
// as pure functions: a request body becomes an evaluation context, a resolution becomes a response.
//
// Rules:
// - A request carries no flag type, so a flag resolves as the type of the value it evaluates to:
//   `resolveUntyped` asks the evaluator with each type until it stops answering TYPE_MISMATCH.
// - A resolution without a value of its own (DISABLED, DEFAULT with no default variant) answers with
//   no `value`: the protocol's "code default", the caller's default applies.
// - FLAG_NOT_FOUND is 404; every other evaluation error is 400 with one of the protocol's codes
//   (PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT, GENERAL; anything else reads GENERAL).
// - Bulk evaluation answers for every flag of the namespace with the single-flag rule, failures as
//   items; its ETag is the SHA-256 of the body, so a 304 means exactly "the same answer".
import { createHash } from "node:crypto";
import { ErrorCode, type EvaluationContext, type FlagMetadata, type FlagValue, type FlagValueType, type JsonValue } from "@openfeature/core";
import { z } from "zod";
import type { FlagResolution } from "../flags/index.js";

/** The error codes the protocol lets an evaluation failure carry. */
export const OFREP_ERROR_CODES = ["PARSE_ERROR", "TARGETING_KEY_MISSING", "INVALID_CONTEXT", "GENERAL"] as const;
export type OfrepErrorCode = (typeof OFREP_ERROR_CODES)[number];

/** A successful evaluation; no `value` means "use the code default". */
export interface EvaluationSuccess {
  readonly key: string;
  readonly value?: FlagValue;
  readonly reason: string;
  readonly variant?: string;
  readonly metadata: FlagMetadata;
}

/** A failed evaluation of one flag. */
export interface EvaluationFailure {
  readonly key: string;
  readonly errorCode: OfrepErrorCode | "FLAG_NOT_FOUND";
  readonly errorDetails: string;
  readonly metadata?: FlagMetadata;
}

export type Evaluation = EvaluationSuccess | EvaluationFailure;

/** An HTTP answer: status and JSON body (none for 304). */
export interface OfrepResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Stands for "no value of the flag's own" while resolving; never sent. */
const CODE_DEFAULT: JsonValue = Object.freeze({ "helios.dev/code-default": true });

const TYPES: readonly FlagValueType[] = ["boolean", "string", "number", "object"];

/** Resolves with the store's typed `resolve`, whatever type the flag has (`hint` first). */
export function resolveUntyped(
  resolve: (type: FlagValueType, defaultValue: FlagValue) => FlagResolution<FlagValue>,
  hint?: FlagValueType,
): FlagResolution<FlagValue> {
  const order = hint === undefined ? TYPES : [hint, ...TYPES.filter((t) => t !== hint)];
  let last: FlagResolution<FlagValue> | undefined;
  for (const type of order) {
    last = resolve(type, CODE_DEFAULT);
    if (last.errorCode !== ErrorCode.TYPE_MISMATCH) return last;
  }
  // Unreachable for a JSON value (it has one of the four types); answer as a failure anyway.
  return { value: CODE_DEFAULT, reason: "ERROR", errorCode: ErrorCode.GENERAL, errorMessage: last?.errorMessage ?? "no type fits the flag's value", flagMetadata: {} };
}

/** The OpenFeature type of a flag value, for `resolveUntyped`'s hint. */
export function valueType(value: unknown): FlagValueType | undefined {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "string":
      return "string";
    case "number":
      return "number";
    case "object":
      return "object";
    default:
      return undefined;
  }
}

/** One flag's resolution as the protocol shows it. */
export function toEvaluation(key: string, resolution: FlagResolution<FlagValue>): Evaluation {
  if (resolution.errorCode !== undefined) {
    const errorDetails = resolution.errorMessage ?? resolution.errorCode;
    if (resolution.errorCode === ErrorCode.FLAG_NOT_FOUND) return { key, errorCode: "FLAG_NOT_FOUND", errorDetails };
    const errorCode = (OFREP_ERROR_CODES as readonly string[]).includes(resolution.errorCode) ? (resolution.errorCode as OfrepErrorCode) : "GENERAL";
    return { key, errorCode, errorDetails, metadata: resolution.flagMetadata };
  }
  return {
    key,
    ...(resolution.value === CODE_DEFAULT ? {} : { value: resolution.value }),
    reason: resolution.reason ?? "UNKNOWN",
    ...(resolution.variant === undefined ? {} : { variant: resolution.variant }),
    metadata: resolution.flagMetadata,
  };
}

/** The answer to a single-flag evaluation. */
export function singleResponse(evaluation: Evaluation): OfrepResponse {
  if (!("errorCode" in evaluation)) return { status: 200, body: evaluation };
  return { status: evaluation.errorCode === "FLAG_NOT_FOUND" ? 404 : 400, body: evaluation };
}

/** The answer to a bulk evaluation, or 304 when `ifNoneMatch` names its ETag. */
export function bulkResponse(evaluations: readonly Evaluation[], ifNoneMatch: string | undefined): OfrepResponse {
  const body = { flags: [...evaluations].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
  const etag = `"${createHash("sha256").update(JSON.stringify(body)).digest("base64url")}"`;
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) return { status: 304, headers: { etag } };
  return { status: 200, body, headers: { etag } };
}

/** If-None-Match: `*`, or a comma-separated list of (possibly weak) entity tags (RFC 9110 13.1.2). */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === etag);
}

/** A whole-request failure (body unreadable, context invalid): 400 with a code and no key. */
export function requestFailure(errorCode: OfrepErrorCode, errorDetails: string, key?: string): OfrepResponse {
  return { status: 400, body: key === undefined ? { errorCode, errorDetails } : { key, errorCode, errorDetails } };
}

const requestSchema = z.object({
  context: z
    .record(z.string(), z.json())
    .refine((ctx) => ctx["targetingKey"] === undefined || typeof ctx["targetingKey"] === "string", { message: "targetingKey must be a string" })
    .optional(),
});

/** The evaluation context of a request body (JSON `{ "context": {...} }`; an empty body is an empty context). */
export function parseEvaluationRequest(body: string): { readonly context: EvaluationContext } | { readonly error: string } {
  if (body.trim() === "") return { context: {} };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { error: `the request body is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "body";
    return { error: `invalid evaluation request: ${where}: ${issue?.message ?? "invalid"} (expected {"context": {"targetingKey": "...", ...}})` };
  }
  return { context: parsed.data.context ?? {} };
}
