// The Helm chart's values as a zod schema (reusing the operator's flag schemas and the API's name
// rules) and the values.schema.json generated from it.
export { chartValuesJsonSchema, renderValuesSchema, VALUES_SCHEMA_PATH } from "./json-schema.js";
export { chartValuesSchema, QUANTITY_PATTERN, type ChartValues } from "./values.js";
