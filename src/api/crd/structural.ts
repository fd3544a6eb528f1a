// Turns zod's JSON Schema into a structural schema the apiserver accepts, and lists what would break structurality.
import type { JsonSchemaProps } from "./types.js";

type JsonObject = { [key: string]: unknown };

/** zod writes these bounds for every `z.int()`; they mean "no bound" and only clutter the CRD. */
const SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;

/** Keys carried over unchanged: value validations and Kubernetes extensions. */
const COPIED_KEYS = new Set([
  "description",
  "format",
  "default",
  "enum",
  "nullable",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "required",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-validations",
]);

/**
 * Keys dropped on purpose: JSON Schema bookkeeping, `propertyNames` (CRDs cannot express it; label
 * keys are checked by CEL instead) and `id`/`title` (zod metadata, not validation).
 */
const DROPPED_KEYS = new Set(["$schema", "$defs", "definitions", "$id", "id", "title", "propertyNames"]);

/** Keys handled by the conversion itself. */
const STRUCTURE_KEYS = new Set(["$ref", "type", "properties", "additionalProperties", "items", "anyOf", "oneOf", "const"]);

/** Thrown when the JSON Schema holds something a CRD cannot express; fix the zod schema. */
export class StructuralSchemaError extends Error {
  readonly code = "StructuralSchema" as const;
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = "StructuralSchemaError";
  }
}

/**
 * Convert a zod-generated JSON Schema (target openapi-3.0, io input) into a structural schema:
 * `$ref`s inlined, no `$schema`/`$defs`, typed unions and free-form values turned into
 * `x-kubernetes-preserve-unknown-fields`, records expressed with `additionalProperties` only,
 * zod's ±2^53 integer bounds and date-time regexes dropped. Unknown keywords throw rather than vanish.
 */
export function toStructural(schema: unknown): JsonSchemaProps {
  const root = asObject(schema, "(root)");
  const defs = { ...asOptionalObject(root["definitions"]), ...asOptionalObject(root["$defs"]) };
  return convert(root, defs, "(root)", new Set());
}

function convert(node: JsonObject, defs: JsonObject, path: string, resolving: Set<string>): JsonSchemaProps {
  if (typeof node["$ref"] === "string") return convertRef(node, defs, path, resolving);

  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (COPIED_KEYS.has(key)) out[key] = value;
    else if (!DROPPED_KEYS.has(key) && !STRUCTURE_KEYS.has(key)) {
      throw new StructuralSchemaError(path, `unsupported JSON Schema keyword "${key}"`);
    }
  }
  if ("const" in node) out["enum"] = [node["const"]];

  // A structural schema gives each node one type; "one of several types" and "any value" (zod's
  // z.unknown() has no type) can only be kept as-is.
  if (node["anyOf"] !== undefined || node["oneOf"] !== undefined || node["type"] === undefined) {
    return { ...(out as JsonSchemaProps), "x-kubernetes-preserve-unknown-fields": true };
  }

  const type = node["type"];
  switch (type) {
    case "object":
      return { ...convertObject(node, defs, path, resolving), ...(out as JsonSchemaProps), type: "object" };
    case "array": {
      const items = node["items"];
      if (items === undefined || Array.isArray(items)) throw new StructuralSchemaError(path, "arrays need one items schema (no tuples)");
      return { ...(out as JsonSchemaProps), type: "array", items: convert(asObject(items, path), defs, `${path}[]`, resolving) };
    }
    case "integer":
      return { ...(withoutSafeIntegerBounds(out) as JsonSchemaProps), type: "integer" };
    case "string":
      // The apiserver checks format date-time itself; zod's equivalent regex is long and redundant.
      if (out["format"] === "date-time") delete out["pattern"];
      return { ...(out as JsonSchemaProps), type: "string" };
    case "number":
      return { ...(out as JsonSchemaProps), type: "number" };
    case "boolean":
      return { ...(out as JsonSchemaProps), type: "boolean" };
    default:
      throw new StructuralSchemaError(path, `every field needs one type name, got ${JSON.stringify(type)}`);
  }
}

function convertRef(node: JsonObject, defs: JsonObject, path: string, resolving: Set<string>): JsonSchemaProps {
  const ref = String(node["$ref"]);
  const name = ref.replace(/^#\/(\$defs|definitions)\//, "");
  const target = defs[name];
  if (target === undefined) throw new StructuralSchemaError(path, `unresolvable $ref ${ref}`);
  if (resolving.has(name)) throw new StructuralSchemaError(path, `recursive schema ${ref} cannot be inlined`);
  // Siblings of a $ref (zod puts a use site's description there) override the shared definition.
  const merged: JsonObject = { ...asObject(target, path), ...node };
  delete merged["$ref"];
  return convert(merged, defs, path, new Set([...resolving, name]));
}

function convertObject(node: JsonObject, defs: JsonObject, path: string, resolving: Set<string>): JsonSchemaProps {
  const properties = asOptionalObject(node["properties"]);
  const additional = node["additionalProperties"];
  const freeForm = additional === true || (isObject(additional) && Object.keys(additional).length === 0);

  if (properties !== undefined) {
    const converted: Record<string, JsonSchemaProps> = {};
    for (const [name, child] of Object.entries(properties)) {
      converted[name] = convert(asObject(child, path), defs, `${path}.${name}`, resolving);
    }
    // `additionalProperties: false` is the default for structural schemas; "{}" means keep unknown keys.
    return { properties: converted, ...(freeForm ? { "x-kubernetes-preserve-unknown-fields": true as const } : {}) };
  }
  if (node["x-kubernetes-preserve-unknown-fields"] === true || freeForm) {
    return { "x-kubernetes-preserve-unknown-fields": true };
  }
  if (isObject(additional)) {
    return { additionalProperties: convert(additional, defs, `${path}.*`, resolving) };
  }
  return {};
}

function withoutSafeIntegerBounds(schema: Record<string, unknown>): Record<string, unknown> {
  const out = { ...schema };
  if (typeof out["minimum"] === "number" && Math.abs(out["minimum"]) >= SAFE_INTEGER_BOUND) delete out["minimum"];
  if (typeof out["maximum"] === "number" && Math.abs(out["maximum"]) >= SAFE_INTEGER_BOUND) delete out["maximum"];
  return out;
}

/**
 * Everything in `schema` that makes it non-structural or unfit for a CRD, as `path: problem` lines;
 * empty when the schema is fine. The generator refuses to write a CRD with violations.
 */
export function structuralViolations(schema: unknown, path = "(root)", isRoot = true): string[] {
  if (!isObject(schema)) return [`${path}: not an object`];
  const problems: string[] = [];
  const report = (problem: string) => problems.push(`${path}: ${problem}`);

  for (const key of ["$ref", "$defs", "definitions", "$schema", "propertyNames", "const", "patternProperties"]) {
    if (key in schema) report(`has ${key}`);
  }
  for (const key of ["anyOf", "oneOf", "allOf", "not"]) {
    const branches = schema[key];
    const list = Array.isArray(branches) ? branches : branches === undefined ? [] : [branches];
    if (list.some((b) => isObject(b) && ["type", "properties", "items", "additionalProperties"].some((k) => k in b))) {
      report(`${key} branch carries a type or structure`);
    }
  }
  if ("properties" in schema && "additionalProperties" in schema) report("additionalProperties next to properties");
  if (schema["uniqueItems"] === true) report("uniqueItems: true (use x-kubernetes-list-type: set)");
  const preserves = schema["x-kubernetes-preserve-unknown-fields"] === true || schema["x-kubernetes-int-or-string"] === true;
  if (!isRoot && schema["type"] === undefined && !preserves) report("no type");
  for (const bound of ["minimum", "maximum"]) {
    const value = schema[bound];
    if (typeof value === "number" && Math.abs(value) >= SAFE_INTEGER_BOUND) report(`${bound} ${value} is zod's unbounded placeholder`);
  }

  for (const [name, child] of Object.entries(asOptionalObject(schema["properties"]) ?? {})) {
    problems.push(...structuralViolations(child, `${path}.${name}`, false));
  }
  if (isObject(schema["additionalProperties"])) {
    problems.push(...structuralViolations(schema["additionalProperties"], `${path}.*`, false));
  }
  if (schema["items"] !== undefined) problems.push(...structuralViolations(schema["items"], `${path}[]`, false));
  return problems;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw new StructuralSchemaError(path, "expected a schema object");
  return value;
}

function asOptionalObject(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}
