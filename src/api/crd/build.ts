// Builds one CustomResourceDefinition from a ResourceDefinition: the zod schemas plus the kind's CRD extras.
import { z } from "zod";
import { CATEGORY, GROUP, VERSION } from "../constants.js";
import type { ResourceDefinition } from "../resource.js";
import { StructuralSchemaError, structuralViolations, toStructural } from "./structural.js";
import type { CustomResourceDefinition, JsonSchemaProps } from "./types.js";

/** The structural schema of one zod schema, as the apiserver sees a request (defaults optional). */
export function crdSchemaOf(schema: z.ZodType): JsonSchemaProps {
  return toStructural(z.toJSONSchema(schema, { io: "input", target: "openapi-3.0", unrepresentable: "throw" }));
}

/** The openAPIV3Schema of a kind: the standard apiVersion/kind/metadata header, then spec and status. */
export function openApiSchemaOf(resource: ResourceDefinition): JsonSchemaProps {
  const properties: Record<string, JsonSchemaProps> = {
    apiVersion: {
      type: "string",
      description: "Versioned schema of this representation of an object; servers convert recognized schemas to the latest internal value.",
    },
    kind: {
      type: "string",
      description: "REST resource this object represents; servers infer it from the endpoint the client submits requests to.",
    },
    // The apiserver validates ObjectMeta itself; a CRD may only say it is an object.
    metadata: { type: "object" },
    spec: crdSchemaOf(resource.spec),
  };
  if (resource.status !== undefined) properties["status"] = crdSchemaOf(resource.status);
  return { type: "object", description: resource.description, properties, required: ["spec"] };
}

export function crdName(resource: ResourceDefinition): string {
  return `${resource.plural}.${GROUP}`;
}

/** The full CRD; throws StructuralSchemaError if the schema would not be structural. */
export function buildCrd(resource: ResourceDefinition): CustomResourceDefinition {
  const schema = openApiSchemaOf(resource);
  const problems = structuralViolations(schema);
  if (problems.length > 0) throw new StructuralSchemaError(resource.kind, problems.join("; "));

  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: crdName(resource) },
    spec: {
      group: GROUP,
      names: {
        kind: resource.kind,
        listKind: `${resource.kind}List`,
        plural: resource.plural,
        singular: resource.singular,
        shortNames: [...resource.shortNames],
        categories: [CATEGORY],
      },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(resource.status !== undefined ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: resource.printerColumns.map((c) => ({ ...c })),
          ...(resource.selectableFields.length > 0
            ? { selectableFields: resource.selectableFields.map((jsonPath) => ({ jsonPath })) }
            : {}),
        },
      ],
    },
  };
}
