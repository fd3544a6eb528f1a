// Kubernetes OpenAPI extensions attached to zod schemas as metadata, so the CRD generator finds them in place.
import { z } from "zod";

/** One CEL rule of `x-kubernetes-validations`; `message` tells the user what to fix. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Report the failure at this field (relative JSON path like `.defaultVariant`) instead of the object. */
  readonly fieldPath?: string;
  readonly reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Attach CEL validation rules that the apiserver evaluates on create and update; adds to earlier ones. */
export function withRules<T extends z.ZodType>(schema: T, rules: readonly CelRule[]): T {
  const earlier = z.globalRegistry.get(schema)?.["x-kubernetes-validations"];
  // Only withRules writes this key, so what is there is a CelRule list.
  const existing = Array.isArray(earlier) ? (earlier as readonly CelRule[]) : [];
  return schema.meta({ "x-kubernetes-validations": [...existing, ...rules] });
}

/** A list whose items are merged by these keys (server-side apply) and must be unique by them. */
export function listMap<T extends z.ZodType>(schema: T, keys: readonly string[]): T {
  return schema.meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": keys });
}

/** A list of unique scalars; zod checks uniqueness too, as the apiserver does. */
export function listSet<T extends z.ZodType>(schema: T): T {
  return schema
    .refine((list: unknown) => !Array.isArray(list) || new Set(list).size === list.length, { message: "items must be unique" })
    .meta({ "x-kubernetes-list-type": "set" });
}

/**
 * A free-form JSON object: the apiserver keeps any content, checking only `maxProperties` top-level
 * keys, because a structural schema cannot describe "any JSON value" field by field.
 */
export function freeForm<T extends z.ZodType>(schema: T, maxProperties: number): T {
  return schema
    .refine((value: unknown) => typeof value !== "object" || value === null || Object.keys(value).length <= maxProperties, {
      message: `must have at most ${maxProperties} top-level keys`,
    })
    .meta({ "x-kubernetes-preserve-unknown-fields": true, maxProperties });
}

/** A free-form JSON value of any type (boolean, number, string, object, array). */
export function anyValue<T extends z.ZodType>(schema: T): T {
  return schema.meta({ "x-kubernetes-preserve-unknown-fields": true });
}
