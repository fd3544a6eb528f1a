// The FeatureFlag kind: one flagd flag definition per object, keyed by the object's name.
import { z } from "zod";
import { conditionsSchema } from "./conditions.js";
import { FLAG_STATES, KINDS, LIMITS, PLURALS, SHORT_NAMES } from "./constants.js";
import { anyValue, freeForm, withRules } from "./k8s-extensions.js";
import { parseOrThrow, safeParse, type ParseResult } from "./parse.js";
import { AGE_COLUMN, objectSchema, type ResourceDefinition } from "./resource.js";

/** A variant's value: flagd allows boolean, string, number or object flags. */
export const flagValueSchema = anyValue(
  z.union([z.boolean(), z.string(), z.number(), z.record(z.string(), z.unknown())]),
).describe("A flag value: boolean, string, number or JSON object.");
export type FlagValue = z.infer<typeof flagValueSchema>;

const DEFAULT_VARIANT_MESSAGE = "defaultVariant must name one of the keys of variants";

/** flagd's flag and flag-set metadata: scalar values by key, returned with every evaluation. */
export const flagMetadataSchema = z
  .record(z.string().min(1).max(63), z.union([z.string(), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= LIMITS.flagMetadataEntries, { message: `metadata must have at most ${LIMITS.flagMetadataEntries} entries` })
  .meta({ maxProperties: LIMITS.flagMetadataEntries })
  .describe("flagd flag metadata: string, number or boolean values by key, returned with every evaluation of the flag.");
export type FlagMetadata = z.infer<typeof flagMetadataSchema>;

const variantsSchema = z
  .record(z.string().min(1).max(63), flagValueSchema)
  .refine((v) => Object.keys(v).length >= 1 && Object.keys(v).length <= LIMITS.flagVariants, {
    message: `variants must have between 1 and ${LIMITS.flagVariants} entries`,
  })
  .meta({ minProperties: 1, maxProperties: LIMITS.flagVariants })
  .describe(`Named values the flag can take, e.g. {on: true, off: false}; 1 to ${LIMITS.flagVariants} entries.`);

export const featureFlagSpecSchema = withRules(
  z
    .object({
      key: z
        .string()
        .min(1)
        .max(LIMITS.flagKeyLength)
        .optional()
        .describe(
          "The flag key applications evaluate, when it differs from the object name (flagd keys may hold upper case, underscores, ...). Defaults to metadata.name.",
        ),
      state: z.enum(FLAG_STATES).describe("ENABLED evaluates the flag; DISABLED makes callers use their code default."),
      variants: variantsSchema,
      defaultVariant: z
        .string()
        .min(1)
        .max(63)
        .nullable()
        .optional()
        .describe(
          "The variant served when targeting does not pick one; must be a key of variants. Absent or null: the caller's code default is served (reason DEFAULT).",
        ),
      targeting: freeForm(
        z
          .record(z.string(), z.unknown())
          .describe(
            "Optional JsonLogic rule choosing a variant from the evaluation context (jobType, queue, namespace, priority, agent, agent labels); flagd's fractional, sem_ver, starts_with and ends_with are available.",
          ),
        LIMITS.payloadProperties,
      ).optional(),
      metadata: flagMetadataSchema.optional(),
    })
    .refine((s) => s.defaultVariant === undefined || s.defaultVariant === null || Object.hasOwn(s.variants, s.defaultVariant), {
      message: DEFAULT_VARIANT_MESSAGE,
      path: ["defaultVariant"],
    })
    .describe("A flagd flag definition."),
  [
    // variants' values are free-form, so CEL does not type the map; dyn() lets `in` look up its keys.
    { rule: "!has(self.defaultVariant) || self.defaultVariant in dyn(self).variants", message: DEFAULT_VARIANT_MESSAGE, fieldPath: ".defaultVariant" },
  ],
);
export type FeatureFlagSpec = z.infer<typeof featureFlagSpecSchema>;

/** The value of the spec's default variant; undefined when it has none (callers get their code default). */
export function defaultVariantValue(spec: Pick<FeatureFlagSpec, "variants" | "defaultVariant">): FlagValue | undefined {
  const variant = spec.defaultVariant;
  return typeof variant === "string" && Object.hasOwn(spec.variants, variant) ? spec.variants[variant] : undefined;
}

/** The key applications evaluate the flag under: `spec.key`, else the object name. */
export function flagKeyOf(flag: { readonly metadata: { readonly name?: string | undefined }; readonly spec: Pick<FeatureFlagSpec, "key"> }): string {
  return flag.spec.key ?? flag.metadata.name ?? "";
}

export const featureFlagStatusSchema = z
  .object({
    conditions: conditionsSchema.optional(),
    observedGeneration: z.int().min(0).optional().describe("The generation this status was computed from."),
    defaultValue: flagValueSchema
      .optional()
      .describe("The default variant's value of the definition being served (the last valid one while spec is invalid)."),
    lastValid: z
      .object({
        generation: z.int().min(1).describe("The metadata.generation of that definition."),
        spec: featureFlagSpecSchema,
      })
      .optional()
      .describe(
        "The last definition the evaluator accepted. While spec is invalid this one keeps serving, also in processes that start later.",
      ),
  })
  .describe("Observed state: the Valid condition carries the evaluator's error message when the flag is invalid.");
export type FeatureFlagStatus = z.infer<typeof featureFlagStatusSchema>;

export const featureFlagSchema = objectSchema(KINDS.featureFlag, featureFlagSpecSchema, featureFlagStatusSchema);
export type FeatureFlag = z.infer<typeof featureFlagSchema>;
export type FeatureFlagInput = z.input<typeof featureFlagSchema>;

export const parseFeatureFlag = (value: unknown): FeatureFlag => parseOrThrow(KINDS.featureFlag, featureFlagSchema, value);
export const safeParseFeatureFlag = (value: unknown): ParseResult<FeatureFlag> => safeParse(featureFlagSchema, value);

export const featureFlagResource: ResourceDefinition = {
  kind: KINDS.featureFlag,
  plural: PLURALS.featureFlag,
  singular: "featureflag",
  shortNames: [SHORT_NAMES.featureFlag],
  description:
    "A feature flag in flagd's format; the flag key is spec.key, else the object name. Control flags are read only from the operator's namespace.",
  spec: featureFlagSpecSchema,
  status: featureFlagStatusSchema,
  printerColumns: [
    { name: "State", type: "string", jsonPath: ".spec.state", description: "ENABLED or DISABLED." },
    { name: "Default", type: "string", jsonPath: ".status.defaultValue", description: "Value of the default variant." },
    {
      name: "Valid",
      type: "string",
      jsonPath: '.status.conditions[?(@.type=="Valid")].status',
      description: "Whether the evaluator accepted the flag.",
    },
    AGE_COLUMN,
  ],
  selectableFields: [],
};
