// The CRD generator: zod → structural schema conversion rules, and the shape of the four generated CRDs.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import {
  buildCrd,
  crdSchemaOf,
  generateCrdFiles,
  StructuralSchemaError,
  structuralViolations,
  toStructural,
  type CustomResourceDefinition,
  type JsonSchemaProps,
} from "../../../src/api/crd/index.js";
import { HELIOS_RESOURCES, jobResource, jobSpecSchema } from "../../../src/api/index.js";

type Node = Record<string, unknown>;

/** Every schema node with its path, walked independently of the code under test. */
function* walk(node: unknown, path = "(root)"): Generator<[string, Node]> {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return;
  const n = node as Node;
  yield [path, n];
  for (const [name, child] of Object.entries((n["properties"] as Node | undefined) ?? {})) yield* walk(child, `${path}.${name}`);
  if (typeof n["additionalProperties"] === "object") yield* walk(n["additionalProperties"], `${path}.*`);
  if (n["items"] !== undefined) yield* walk(n["items"], `${path}[]`);
  for (const key of ["anyOf", "oneOf", "allOf"]) for (const b of (n[key] as unknown[] | undefined) ?? []) yield* walk(b, `${path}<${key}>`);
}

const crds: CustomResourceDefinition[] = HELIOS_RESOURCES.map((r) => buildCrd(r));
const schemaOf = (crd: CustomResourceDefinition): JsonSchemaProps => crd.spec.versions[0]!.schema.openAPIV3Schema;

describe("toStructural", () => {
  it("inlines $ref definitions and drops $schema/$defs", () => {
    const out = toStructural({
      $schema: "https://json-schema.org/draft-04/schema",
      type: "object",
      properties: { a: { $ref: "#/$defs/Thing", description: "use site" } },
      $defs: { Thing: { type: "object", description: "shared", properties: { x: { type: "string" } } } },
    });
    expect(out).toEqual({
      type: "object",
      properties: { a: { type: "object", description: "use site", properties: { x: { type: "string" } } } },
    });
  });

  it("refuses a recursive $ref, which cannot be inlined", () => {
    const recursive = { type: "object", properties: { a: { $ref: "#/$defs/T" } }, $defs: { T: { type: "object", properties: { t: { $ref: "#/$defs/T" } } } } };
    expect(() => toStructural(recursive)).toThrow(StructuralSchemaError);
  });

  it("turns typed unions and untyped values into preserve-unknown-fields and drops zod's ±2^53 integer bounds", () => {
    const out = crdSchemaOf(
      z.object({ v: z.union([z.boolean(), z.string()]).describe("either"), n: z.int().describe("count"), u: z.unknown() }),
    );
    expect(out.properties?.["v"]).toEqual({ description: "either", "x-kubernetes-preserve-unknown-fields": true });
    expect(out.properties?.["u"]).toEqual({ "x-kubernetes-preserve-unknown-fields": true });
    expect(out.properties?.["n"]).toEqual({ description: "count", type: "integer" });
  });

  it("expresses records with additionalProperties only and free-form objects with preserve-unknown-fields", () => {
    const out = crdSchemaOf(
      z.object({
        labels: z.record(z.string().regex(/^a/), z.string()),
        anything: z.record(z.string(), z.unknown()),
        loose: z.looseObject({ a: z.string() }),
      }),
    );
    expect(out.properties?.["labels"]).toEqual({ type: "object", additionalProperties: { type: "string" } });
    expect(out.properties?.["anything"]).toEqual({ type: "object", "x-kubernetes-preserve-unknown-fields": true });
    expect(out.properties?.["loose"]).toMatchObject({ properties: { a: { type: "string" } }, "x-kubernetes-preserve-unknown-fields": true });
    expect(out.properties?.["loose"]).not.toHaveProperty("additionalProperties");
  });

  it("keeps format date-time but drops zod's date-time regex", () => {
    const out = crdSchemaOf(z.object({ t: z.iso.datetime() }));
    expect(out.properties?.["t"]).toEqual({ type: "string", format: "date-time" });
  });

  it("makes defaulted fields optional and writes their defaults", () => {
    const out = crdSchemaOf(z.object({ p: z.enum(["a", "b"]).default("a"), q: z.string() }));
    expect(out.required).toEqual(["q"]);
    expect(out.properties?.["p"]).toMatchObject({ default: "a" });
  });

  it("throws on JSON Schema keywords a CRD cannot carry instead of dropping them", () => {
    expect(() => toStructural({ type: "object", properties: { a: { type: "string", contentEncoding: "base64" } } })).toThrow(
      /unsupported JSON Schema keyword "contentEncoding"/,
    );
    expect(() => toStructural({ type: "object", properties: { a: { type: ["string", "null"] } } })).toThrow(StructuralSchemaError);
  });
});

describe("structuralViolations", () => {
  it("reports each forbidden construct with its path", () => {
    const bad = {
      type: "object",
      $schema: "x",
      properties: {
        a: { type: "object", properties: {}, additionalProperties: false },
        b: { anyOf: [{ type: "string" }, { type: "integer" }] },
        c: { type: "integer", maximum: 9007199254740991 },
        d: { description: "untyped" },
        e: { $ref: "#/$defs/X" },
      },
    };
    const problems = structuralViolations(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        "(root): has $schema",
        "(root).a: additionalProperties next to properties",
        "(root).b: anyOf branch carries a type or structure",
        "(root).c: maximum 9007199254740991 is zod's unbounded placeholder",
        "(root).d: no type",
        "(root).e: has $ref",
      ]),
    );
  });
  it("accepts every generated CRD schema", () => {
    for (const crd of crds) expect(structuralViolations(schemaOf(crd)), crd.metadata.name).toEqual([]);
  });
});

describe("generated CRDs", () => {
  it.each(crds.map((c) => [c.metadata.name, c] as const))("%s has no forbidden construct", (_name, crd) => {
    for (const [path, node] of walk(schemaOf(crd))) {
      for (const key of ["$ref", "$defs", "definitions", "$schema", "anyOf", "oneOf", "allOf", "not", "propertyNames", "const"]) {
        expect(node, `${path} has ${key}`).not.toHaveProperty(key);
      }
      if ("properties" in node) expect(node, `${path}: additionalProperties next to properties`).not.toHaveProperty("additionalProperties");
      for (const bound of ["minimum", "maximum"]) {
        const value = node[bound];
        if (typeof value === "number") expect(Math.abs(value), `${path}.${bound}`).toBeLessThan(2 ** 53 - 1);
      }
      if (path !== "(root)") {
        expect(node["type"] !== undefined || node["x-kubernetes-preserve-unknown-fields"] === true, `${path} has no type`).toBe(true);
      }
    }
  });

  it.each(crds.map((c) => [c.metadata.name, c] as const))("%s describes every field of spec and status", (_name, crd) => {
    for (const part of ["spec", "status"]) {
      for (const [path, node] of walk(schemaOf(crd).properties?.[part], part)) {
        // Map values and list items are described by the field holding them.
        if (path.endsWith("[]") || path.endsWith(".*")) continue;
        expect(typeof node["description"] === "string" && node["description"].length > 0, `${path} has no description`).toBe(true);
      }
    }
  });

  it("names, categories, short names and subresources follow DESIGN", () => {
    const byKind = new Map(crds.map((c) => [c.spec.names.kind, c]));
    expect([...byKind.keys()]).toEqual(["Job", "Agent", "FeatureFlag", "FeatureFlagSet", "AuditLog"]);
    for (const [kind, shortName, plural] of [
      ["Job", "hjob", "jobs"],
      ["Agent", "hagent", "agents"],
      ["FeatureFlag", "hflag", "featureflags"],
      ["FeatureFlagSet", "hflagset", "featureflagsets"],
      ["AuditLog", "haudit", "auditlogs"],
    ] as const) {
      const crd = byKind.get(kind)!;
      expect(crd.metadata.name).toBe(`${plural}.helios.dev`);
      expect(crd.spec.names).toMatchObject({ plural, shortNames: [shortName], categories: ["helios"] });
      expect(crd.spec.scope).toBe("Namespaced");
      expect(crd.spec.versions.map((v) => v.name)).toEqual(["v1alpha1"]);
    }
    expect(byKind.get("AuditLog")!.spec.versions[0]!.subresources).toBeUndefined();
    expect(byKind.get("FeatureFlagSet")!.spec.versions[0]!.subresources).toBeUndefined();
    expect(byKind.get("Job")!.spec.versions[0]!.subresources).toEqual({ status: {} });
  });

  it("prints the DESIGN columns", () => {
    const columns = Object.fromEntries(crds.map((c) => [c.spec.names.kind, c.spec.versions[0]!.additionalPrinterColumns.map((p) => p.name)]));
    expect(columns).toEqual({
      Job: ["Type", "Priority", "Phase", "Agent", "Attempt", "Age"],
      Agent: ["Phase", "Capabilities", "Max", "Age"],
      FeatureFlag: ["State", "Default", "Valid", "Age"],
      FeatureFlagSet: ["Age"],
      AuditLog: ["Entries", "From", "To", "Age"],
    });
  });

  it("selects jobs by type, queue, priority, phase and agent, and agents by phase", () => {
    const selectable = Object.fromEntries(crds.map((c) => [c.spec.names.kind, c.spec.versions[0]!.selectableFields?.map((f) => f.jsonPath)]));
    expect(selectable["Job"]).toEqual([".spec.type", ".spec.queue", ".spec.priority", ".status.phase", ".status.assignedAgent"]);
    expect(selectable["Agent"]).toEqual([".status.phase"]);
  });

  it("keys conditions by type", () => {
    for (const crd of crds.filter((c) => !["AuditLog", "FeatureFlagSet"].includes(c.spec.names.kind))) {
      expect(schemaOf(crd).properties?.["status"]?.properties?.["conditions"]).toMatchObject({
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      });
    }
  });

  it("writes one immutability rule per Job spec field except cancel, and one that lets cancel go only to true", () => {
    const spec = schemaOf(buildCrd(jobResource)).properties?.["spec"];
    const rules = spec?.["x-kubernetes-validations"] ?? [];
    const frozen = Object.keys(jobSpecSchema.shape).filter((k) => k !== "cancel");
    expect(rules.map((r) => r.message.split(" ")[0])).toEqual([...frozen.map((k) => `spec.${k}`), "spec.cancel"]);
    expect(rules.every((r) => r.rule.includes("oldSelf"))).toBe(true);
    expect(rules.filter((r) => r.rule.includes("cancel")).map((r) => r.message)).toEqual([expect.stringContaining("spec.cancel cannot be undone once true")]);
  });

  it("renders deterministically with the generated-file header", () => {
    const a = generateCrdFiles();
    const b = generateCrdFiles();
    expect(a).toEqual(b);
    expect(a.map((f) => f.fileName)).toEqual([
      "helios.dev_jobs.yaml",
      "helios.dev_agents.yaml",
      "helios.dev_featureflags.yaml",
      "helios.dev_featureflagsets.yaml",
      "helios.dev_auditlogs.yaml",
    ]);
    for (const f of a) expect(f.content.startsWith("# generated from src/api by `make crds`; do not edit\n")).toBe(true);
  });
});
