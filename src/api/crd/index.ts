// The CRD generator: turns the zod schemas of src/api into structural CustomResourceDefinitions and
// renders them as the YAML files checked in under crds/ (`make crds`).
export { buildCrd, crdName, crdSchemaOf, openApiSchemaOf } from "./build.js";
export { CRD_FILE_HEADER, crdFileName, generateCrdFiles, renderCrd, type CrdFile } from "./render.js";
export { StructuralSchemaError, structuralViolations, toStructural } from "./structural.js";
export type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
  JsonSchemaProps,
  PrinterColumnDefinition,
  ValidationRule,
} from "./types.js";
