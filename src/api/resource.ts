// The description of one Helios kind: its zod spec/status schemas plus the CRD extras kubectl shows.
import { z } from "zod";
import { API_VERSION } from "./constants.js";
import { objectMetaSchema } from "./meta.js";

/** An `additionalPrinterColumns` entry: what `kubectl get` prints. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "date";
  readonly jsonPath: string;
  readonly description: string;
  /** 0 shows in `kubectl get`; 1 only with `-o wide`. */
  readonly priority?: number;
}

export interface ResourceDefinition {
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** Shown by `kubectl explain <kind>`. */
  readonly description: string;
  readonly spec: z.ZodType;
  /** Present when the kind has a status, written through the /status subresource. */
  readonly status?: z.ZodType;
  /**
   * Only fields that stay true between writes: the spec, and status fields rewritten whenever what
   * they describe changes. A status field written only at some transitions (an Agent's running
   * count or last heartbeat, written on phase changes) goes stale by design and is not a column.
   */
  readonly printerColumns: readonly PrinterColumn[];
  /** JSON paths usable in `--field-selector` (server-side), e.g. `.status.phase`. */
  readonly selectableFields: readonly string[];
}

/** The whole-object schema (apiVersion, kind, metadata, spec, optional status) for runtime parsing. */
export function objectSchema<K extends string, S extends z.ZodType, T extends z.ZodType>(kind: K, spec: S, status: T) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    spec,
    status: status.optional(),
  });
}

/** Like `objectSchema` for kinds without a status. */
export function specOnlyObjectSchema<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: objectMetaSchema,
    spec,
  });
}

/** The age column every kind ends with, as kubectl prints it for built-in kinds. */
export const AGE_COLUMN: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
  description: "Time since the object was created.",
};
