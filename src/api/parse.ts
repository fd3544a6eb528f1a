// Runtime parsing of API objects into typed values, with errors that name the field to fix.
import type { z } from "zod";

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly issues: readonly z.core.$ZodIssue[] };

/** One line per problem, `path: message`, e.g. `spec.retry.maxRetries: Too small: expected number to be >=0`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
}

/** Parse without throwing; defaults are applied to the returned value. */
export function safeParse<S extends z.ZodType>(schema: S, value: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: formatIssues(result.error.issues), issues: result.error.issues };
}

/** Thrown by the `parse*` helpers; `message` lists every problem with its field path. */
export class ApiValidationError extends Error {
  readonly code = "ApiValidation" as const;
  constructor(
    readonly kind: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`invalid ${kind}: ${formatIssues(issues)}`);
    this.name = "ApiValidationError";
  }
}

/** Parse or throw `ApiValidationError`; defaults are applied to the returned value. */
export function parseOrThrow<S extends z.ZodType>(kind: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiValidationError(kind, result.error.issues);
  return result.data;
}
