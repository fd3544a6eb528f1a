// metav1.LabelSelector as a zod schema, with the apiserver-side rules that make a malformed selector fail on submit.
import { z } from "zod";
import { LIMITS } from "./constants.js";
import { withRules } from "./k8s-extensions.js";

// A label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters.
const LABEL_KEY_PATTERN =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
const LABEL_VALUE_PATTERN = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";

export const labelKeySchema = z.string().min(1).max(317).regex(new RegExp(LABEL_KEY_PATTERN));
export const labelValueSchema = z.string().max(63).regex(new RegExp(LABEL_VALUE_PATTERN));

export const SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

const VALUES_MESSAGE = "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist";

export const labelSelectorRequirementSchema = withRules(
  z
    .object({
      key: labelKeySchema.describe("The label key the requirement applies to."),
      operator: z.enum(SELECTOR_OPERATORS).describe("How the key relates to the values: In, NotIn, Exists or DoesNotExist."),
      values: z
        .array(labelValueSchema)
        .max(LIMITS.selectorValues)
        .optional()
        .describe("Label values; non-empty for In and NotIn, empty for Exists and DoesNotExist."),
    })
    .refine((r) => (r.operator === "In" || r.operator === "NotIn") === ((r.values ?? []).length > 0), {
      message: VALUES_MESSAGE,
      path: ["values"],
    })
    .describe("A requirement on one label key."),
  [
    {
      rule: "(self.operator == 'In' || self.operator == 'NotIn') == (has(self.values) && size(self.values) > 0)",
      message: VALUES_MESSAGE,
      fieldPath: ".values",
    },
  ],
);
export type LabelSelectorRequirement = z.infer<typeof labelSelectorRequirementSchema>;

export const labelSelectorSchema = z
  .object({
    matchLabels: withRules(
      z
        .record(labelKeySchema, labelValueSchema)
        .describe("Labels the agent must carry with exactly these values; keys are label keys (prefix/name)."),
      [
        {
          rule: "self.all(k, !format.qualifiedName().validate(k).hasValue())",
          message:
            "matchLabels keys must be label keys: an optional DNS subdomain prefix and '/', then at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric",
        },
      ],
    )
      .meta({ maxProperties: LIMITS.labelSelectorTerms })
      .optional(),
    matchExpressions: z
      .array(labelSelectorRequirementSchema)
      .max(LIMITS.labelSelectorTerms)
      .optional()
      .describe("Requirements that must all hold."),
  })
  .describe("A label selector: every matchLabels pair and every matchExpressions requirement must hold; empty matches everything.");
export type LabelSelector = z.infer<typeof labelSelectorSchema>;
