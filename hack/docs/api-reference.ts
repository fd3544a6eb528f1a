// docs/reference/api.md: every field of every Helios kind, read from the CRD schema the generator builds
// from the zod schemas (openApiSchemaOf), so the page says exactly what the apiserver enforces.
import { openApiSchemaOf, type JsonSchemaProps, type ValidationRule } from "../../src/api/crd/index.js";
import { API_VERSION, CATEGORY, HELIOS_RESOURCES, type ResourceDefinition } from "../../src/api/index.js";
import { code, page, table } from "./markdown.js";
import { conditionTypesOf } from "./conditions.js";

interface FieldRow {
  readonly path: string;
  readonly schema: JsonSchemaProps;
  readonly required: boolean;
}

interface RuleRow {
  readonly path: string;
  readonly rule: ValidationRule;
}

/** Every field under `schema`, depth first, with dotted paths (`[]` for list items, `*` for map values). */
function fieldsOf(schema: JsonSchemaProps, path: string, rows: FieldRow[], rules: RuleRow[]): void {
  for (const rule of schema["x-kubernetes-validations"] ?? []) rules.push({ path, rule });
  const required = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const childPath = `${path}.${name}`;
    rows.push({ path: childPath, schema: child, required: required.has(name) });
    fieldsOf(child, childPath, rows, rules);
  }
  if (schema.items !== undefined) fieldsOf(schema.items, `${path}[]`, rows, rules);
  if (schema.additionalProperties !== undefined) fieldsOf(schema.additionalProperties, `${path}.*`, rows, rules);
}

function typeOf(schema: JsonSchemaProps): string {
  if (schema["x-kubernetes-preserve-unknown-fields"] === true && schema.properties === undefined) {
    return schema.type === "object" || schema.type === undefined ? "JSON" : `${schema.type} (free-form)`;
  }
  switch (schema.type) {
    case "array":
      return schema.items === undefined ? "array" : `[]${typeOf(schema.items)}`;
    case "object":
      return schema.additionalProperties === undefined ? "object" : `map[string]${typeOf(schema.additionalProperties)}`;
    case undefined:
      return "JSON";
    default:
      return schema.format === undefined ? schema.type : `${schema.type} (${schema.format})`;
  }
}

function validationOf(row: FieldRow): string {
  const s = row.schema;
  const parts: string[] = [];
  if (row.required) parts.push("required");
  if (s.enum !== undefined) parts.push(`one of ${s.enum.map((v) => code(JSON.stringify(v))).join(", ")}`);
  if (s.minimum !== undefined) parts.push(`${s.exclusiveMinimum === true ? ">" : ">="} ${s.minimum}`);
  if (s.maximum !== undefined) parts.push(`${s.exclusiveMaximum === true ? "<" : "<="} ${s.maximum}`);
  if (s.minLength !== undefined) parts.push(`length >= ${s.minLength}`);
  if (s.maxLength !== undefined) parts.push(`length <= ${s.maxLength}`);
  if (s.pattern !== undefined) parts.push(`pattern ${code(s.pattern)}`);
  if (s.minItems !== undefined) parts.push(`items >= ${s.minItems}`);
  if (s.maxItems !== undefined) parts.push(`items <= ${s.maxItems}`);
  if (s.minProperties !== undefined) parts.push(`keys >= ${s.minProperties}`);
  if (s.maxProperties !== undefined) parts.push(`keys <= ${s.maxProperties}`);
  const listType = s["x-kubernetes-list-type"];
  if (listType === "set") parts.push("unique items");
  if (listType === "map") parts.push(`one item per ${(s["x-kubernetes-list-map-keys"] ?? []).join(", ")}`);
  const rules = s["x-kubernetes-validations"]?.length ?? 0;
  if (rules > 0) parts.push(`${rules} CEL rule${rules === 1 ? "" : "s"} (below)`);
  return parts.join("; ");
}

function defaultOf(schema: JsonSchemaProps): string {
  return schema.default === undefined ? "" : code(JSON.stringify(schema.default));
}

function anchor(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9 -]/g, "").replaceAll(" ", "-");
}

function kindSection(resource: ResourceDefinition): string {
  const schema = openApiSchemaOf(resource);
  const rows: FieldRow[] = [];
  const rules: RuleRow[] = [];
  for (const part of ["spec", "status"] as const) {
    const sub = schema.properties?.[part];
    if (sub === undefined) continue;
    rows.push({ path: part, schema: sub, required: (schema.required ?? []).includes(part) });
    fieldsOf(sub, part, rows, rules);
  }
  const blocks = [
    `## ${resource.kind}`,
    [
      resource.description,
      "",
      `${code(`apiVersion: ${API_VERSION}`)}, plural ${code(resource.plural)}, short name${resource.shortNames.length === 1 ? "" : "s"} ${resource.shortNames.map(code).join(", ")}, category ${code(CATEGORY)}, namespaced` +
        `${resource.status === undefined ? "" : ", status subresource"}.`,
    ].join("\n"),
    `### ${resource.kind} fields`,
    table(
      ["field", "type", "default", "validation", "description"],
      rows.map((row) => [code(row.path), typeOf(row.schema), defaultOf(row.schema), validationOf(row), row.schema.description ?? ""]),
    ),
  ];
  if (rules.length > 0) {
    blocks.push(
      `### ${resource.kind} validation rules (CEL)`,
      "The apiserver evaluates these on create and update and refuses the request with the message.",
      table(["at", "rule", "message"], rules.map(({ path, rule }) => [code(rule.fieldPath === undefined ? path : `${path}${rule.fieldPath}`), code(rule.rule), rule.message])),
    );
  }
  blocks.push(
    `### ${resource.kind} printer columns`,
    table(
      ["column", "type", "JSON path", "shown", "description"],
      resource.printerColumns.map((c) => [c.name, c.type, code(c.jsonPath), (c.priority ?? 0) === 0 ? "kubectl get" : "-o wide", c.description]),
    ),
  );
  if (resource.selectableFields.length > 0) {
    blocks.push(`Field selectors (\`kubectl get --field-selector\`): ${resource.selectableFields.map((f) => code(f.slice(1))).join(", ")}.`);
  }
  const conditions = conditionTypesOf(resource.kind);
  if (conditions.length > 0) {
    blocks.push(
      `### ${resource.kind} conditions`,
      table(
        ["type", "reasons"],
        conditions.map((c) => [code(c.type), `${c.reasons.map((r) => `[${code(r.reason)}](conditions.md#${anchor(`${resource.kind} ${c.type}`)}) (${r.status})`).join(", ")}`]),
      ),
    );
  }
  return blocks.join("\n\n");
}

/** The API reference page. */
export function renderApiReference(resources: readonly ResourceDefinition[] = HELIOS_RESOURCES): string {
  return page("API reference", [
    `Every kind of group ${code(API_VERSION.split("/")[0] ?? "")} version ${code(API_VERSION.split("/")[1] ?? "")}, generated from the zod schemas in ${code("src/api")} through the CRD generator (the same schema as ${code("crds/")}). ` +
      `Paths are dotted; ${code("[]")} is an item of a list, ${code("*")} a value of a map. Defaults are applied by the apiserver. ` +
      `Condition reasons are explained in [conditions.md](conditions.md).`,
    resources.map((r) => `- [${r.kind}](#${anchor(r.kind)})`).join("\n"),
    ...resources.map(kindSection),
  ]);
}
