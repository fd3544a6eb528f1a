// The FeatureFlagSet kind: what a flagd flag file holds besides its flags, for one namespace's flags.
import { z } from "zod";
import { KINDS, LIMITS, PLURALS, SHORT_NAMES } from "./constants.js";
import { flagMetadataSchema } from "./feature-flag.js";
import { freeForm } from "./k8s-extensions.js";
import { AGE_COLUMN, specOnlyObjectSchema, type ResourceDefinition } from "./resource.js";

export const featureFlagSetSpecSchema = z
  .object({
    evaluators: freeForm(
      z
        .record(z.string().min(1), z.unknown())
        .describe(
          'flagd\'s $evaluators: named JsonLogic rules the namespace\'s FeatureFlags use in their targeting as {"$ref": "<name>"}.',
        ),
      LIMITS.flagSetEvaluators,
    ).optional(),
    metadata: flagMetadataSchema
      .optional()
      .describe("flagd's flag-set metadata: returned with every evaluation of the namespace's flags, under each flag's own metadata."),
    context: freeForm(
      z
        .record(z.string().min(1), z.unknown())
        .describe("Static evaluation context added to every evaluation of the namespace's flags, under the caller's context (flagd's context enrichment)."),
      LIMITS.payloadProperties,
    ).optional(),
  })
  .describe("What every FeatureFlag of the namespace is evaluated within. All FeatureFlagSets of a namespace apply, merged in name order (the first defining a name wins).");
export type FeatureFlagSetSpec = z.infer<typeof featureFlagSetSpecSchema>;

export const featureFlagSetSchema = specOnlyObjectSchema(KINDS.featureFlagSet, featureFlagSetSpecSchema);
export type FeatureFlagSet = z.infer<typeof featureFlagSetSchema>;

export const featureFlagSetResource: ResourceDefinition = {
  kind: KINDS.featureFlagSet,
  plural: PLURALS.featureFlagSet,
  singular: "featureflagset",
  shortNames: [SHORT_NAMES.featureFlagSet],
  description:
    "Shared evaluators ($ref), flag-set metadata and static evaluation context for the FeatureFlags of its namespace, as a flagd flag file holds them.",
  spec: featureFlagSetSpecSchema,
  printerColumns: [AGE_COLUMN],
  selectableFields: [],
};
