// Validates one flag definition with flagd-core and yields the evaluator's own flag object.
//
// Three checks, all flagd-core's, with flagd's verdicts: its parser (structure: state,
// defaultVariant among variants) and its targeting compiler (JsonLogic that does not build, e.g. a
// `$ref` to no evaluator) refuse a definition; its strict JSON schema (variants of mixed types,
// malformed operator arguments) only warns, and the flag is served, as flagd serves it. The
// namespace's flag set takes part as in a flagd file: `$ref`s are expanded from its evaluators and
// its metadata is merged under the flag's. Messages are the evaluator's, condensed to the errors
// that matter; nothing here interprets JsonLogic or hashes anything itself.
import { FeatureFlag as FlagdFlag, MemoryStorage } from "@openfeature/flagd-core";
import { ErrorCode, type FlagValue, type Logger } from "@openfeature/core";
import type { FlagMetadata } from "../api/index.js";

/**
 * The result of validating one definition: the evaluator's flag object (with what flagd's schema
 * warns about, if anything), or why it was refused.
 */
export type FlagValidation =
  | { readonly valid: true; readonly flag: FlagdFlag; readonly defaultValue: FlagValue | undefined; readonly warnings: string | undefined }
  | { readonly valid: false; readonly message: string };

/**
 * What a namespace's flag set adds to each of its flags: flagd's `$evaluators` (for `$ref`),
 * flag-set `metadata` (under each flag's own) and a static evaluation `context` (under the caller's).
 */
export interface FlagSetDefinition {
  readonly evaluators?: Readonly<Record<string, unknown>> | undefined;
  readonly metadata?: FlagMetadata | undefined;
  readonly context?: Readonly<Record<string, unknown>> | undefined;
}

/** flagd-core logs through this; validation reports through return values, so it stays quiet. */
export const SILENT_FLAGD_LOGGER: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

const FLAGD_PREFIX = "invalid flagd flag configuration";
const MAX_SCHEMA_ERRORS = 3;

/**
 * Validates the flag `key` defined by `spec` (a flagd flag definition: state, variants,
 * defaultVariant, targeting, metadata) within `flagSet`. Pure apart from CPU: compiles the targeting once.
 */
export function validateFlagDefinition(key: string, spec: unknown, flagSet: FlagSetDefinition = {}): FlagValidation {
  const config = JSON.stringify({
    flags: { [key]: flagdDefinition(spec) },
    ...(flagSet.evaluators ? { $evaluators: flagSet.evaluators } : {}),
    ...(flagSet.metadata ? { metadata: flagSet.metadata } : {}),
  });
  let flag: FlagdFlag | undefined;
  try {
    const storage = new MemoryStorage(SILENT_FLAGD_LOGGER);
    storage.setConfigurations(config, false);
    flag = storage.getFlag(key);
  } catch (err) {
    return { valid: false, message: structuralMessage(err) };
  }
  if (!flag) return { valid: false, message: `${FLAGD_PREFIX}: no flag "${key}" in the definition` };

  const schema = schemaProblems(config, key, spec);
  // A targeting rule that does not compile is kept by flagd-core and reported on every evaluation;
  // Helios refuses it instead, so the last valid definition keeps serving.
  const probe = flag.evaluate({});
  if (probe.reason === "ERROR" && probe.errorCode === ErrorCode.PARSE_ERROR) {
    const targeting = probe.errorMessage ?? `invalid targeting for flag "${key}"`;
    return { valid: false, message: schema ? `${targeting}; ${schema}` : targeting };
  }
  const defaultVariant = flag.defaultVariant;
  return { valid: true, flag, defaultValue: defaultVariant === undefined ? undefined : flag.variants.get(defaultVariant), warnings: schema };
}

/** The spec as flagd reads it: `key` is Helios's (the flag's key outside the object), not flagd's. */
function flagdDefinition(spec: unknown): unknown {
  if (typeof spec !== "object" || spec === null || !("key" in spec)) return spec;
  return Object.fromEntries(Object.entries(spec).filter(([field]) => field !== "key"));
}

function structuralMessage(err: unknown): string {
  if (!(err instanceof Error)) return `${FLAGD_PREFIX}: ${String(err)}`;
  // flagd-core wraps structural errors (GeneralError) in a ParseError carrying only its generic prefix.
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${err.message}: ${cause}` : err.message;
}

interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/** Runs flagd-core's strict schema validation; undefined when it passes. */
function schemaProblems(config: string, key: string, spec: unknown): string | undefined {
  try {
    new MemoryStorage(SILENT_FLAGD_LOGGER).setConfigurations(config, true);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const errors = parseSchemaErrors(message);
    if (!errors) return message;
    return `${FLAGD_PREFIX}: ${describeSchemaErrors(errors, key, spec)}`;
  }
}

/** flagd-core puts ajv's error list as JSON after its prefix; recover it to condense it. */
function parseSchemaErrors(message: string): SchemaError[] | undefined {
  const start = message.indexOf("[");
  if (!message.startsWith(FLAGD_PREFIX) || start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    return Array.isArray(parsed) ? (parsed as SchemaError[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ajv reports every branch of the schema's anyOf; the deepest errors are the ones that name the
 * offending field (the usual "best match" rule), so keep those, merged per field.
 */
export function describeSchemaErrors(errors: readonly SchemaError[], key: string, spec: unknown): string {
  const prefix = `/flags/${key}`;
  const leaves = errors.filter((e) => !["anyOf", "oneOf", "allOf", "if"].includes(e.keyword));
  const relevant = leaves.length > 0 ? leaves : errors;
  const depth = (e: SchemaError): number => e.instancePath.split("/").length;
  const deepest = Math.max(...relevant.map(depth));
  const byField = new Map<string, Set<string>>();
  for (const e of relevant.filter((x) => depth(x) === deepest)) {
    const field = fieldPath(e.instancePath.startsWith(prefix) ? e.instancePath.slice(prefix.length) : e.instancePath);
    const detail = e.keyword === "additionalProperties" ? ` '${String(e.params?.["additionalProperty"])}'` : "";
    let set = byField.get(field);
    if (!set) byField.set(field, (set = new Set()));
    set.add(`${e.message ?? e.keyword}${detail}`);
  }
  const parts = [...byField].map(([field, messages]) => `${field} ${[...messages].join(" or ")}`);
  const shown = parts.slice(0, MAX_SCHEMA_ERRORS).join(", ");
  const more = parts.length > MAX_SCHEMA_ERRORS ? ` (and ${parts.length - MAX_SCHEMA_ERRORS} more)` : "";
  return `${variantTypesHint(relevant, prefix, spec)}${shown}${more}`;
}

/** flagd's schema has one branch per value type, so mixed variants read as type errors: say so first. */
function variantTypesHint(errors: readonly SchemaError[], prefix: string, spec: unknown): string {
  if (!errors.some((e) => e.keyword === "type" && e.instancePath.startsWith(`${prefix}/variants/`))) return "";
  const variants = typeof spec === "object" && spec !== null ? (spec as { variants?: unknown }).variants : undefined;
  if (typeof variants !== "object" || variants === null) return "";
  const types = new Set(Object.values(variants).map((v) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)));
  return types.size > 1 ? `all variants must have one type (boolean, string, number or object), found ${[...types].sort().join(", ")}: ` : "";
}

/** `/targeting/if/0` → `spec.targeting.if[0]`. */
function fieldPath(pointer: string): string {
  let out = "spec";
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    out += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return out;
}
