// Renders CRDs as the checked-in YAML files under crds/: one CRD per file, keys sorted, with a header.
import { stringify } from "yaml";
import { GROUP } from "../constants.js";
import { HELIOS_RESOURCES } from "../kinds.js";
import type { ResourceDefinition } from "../resource.js";
import { buildCrd } from "./build.js";
import type { CustomResourceDefinition } from "./types.js";

export const CRD_FILE_HEADER = "# generated from src/api by `make crds`; do not edit\n";

export interface CrdFile {
  /** File name inside crds/, e.g. `helios.dev_jobs.yaml`. */
  readonly fileName: string;
  readonly content: string;
}

export function crdFileName(resource: ResourceDefinition): string {
  return `${GROUP}_${resource.plural}.yaml`;
}

/** Sorted keys and no line folding, so regenerating from the same schemas gives byte-identical files. */
export function renderCrd(crd: CustomResourceDefinition): string {
  return CRD_FILE_HEADER + stringify(crd, { sortMapEntries: true, lineWidth: 0 });
}

/** The files `make crds` writes, computed in memory (the freshness test compares them with crds/). */
export function generateCrdFiles(resources: readonly ResourceDefinition[] = HELIOS_RESOURCES): CrdFile[] {
  return resources.map((resource) => ({ fileName: crdFileName(resource), content: renderCrd(buildCrd(resource)) }));
}
