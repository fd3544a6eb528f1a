// values.schema.json from the zod schema of the chart's values: what `helm install` checks before rendering.
import { z } from "zod";
import { chartValuesSchema } from "./values.js";

/** Where the generated schema lives in the repository. */
export const VALUES_SCHEMA_PATH = "charts/helios/values.schema.json";

/**
 * The JSON Schema (draft-07, as Helm validates) of the values a user gives: the input side of every
 * transform, with the patterns the operator's duration schemas carry. Refinements JSON Schema cannot
 * express are checked by the chart's `helios.validateValues` template helper.
 */
export function chartValuesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(chartValuesSchema, {
    target: "draft-7",
    io: "input",
    unrepresentable: "throw",
    // zod's integers carry the safe-integer range; a YAML integer is never outside it, so say nothing.
    override: ({ jsonSchema }) => {
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    },
  });
}

/** The file's content: 2-space JSON and a final newline. */
export function renderValuesSchema(): string {
  return `${JSON.stringify(chartValuesJsonSchema(), null, 2)}\n`;
}
