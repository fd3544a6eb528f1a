// `make crds`: writes crds/helios.dev_<plural>.yaml from the zod schemas in src/api, one CRD per file,
// the same CRDs as the chart's templates (charts/helios/templates/crds/), so they upgrade with the release,
// and the chart's payload and result bounds policy from LIMITS (charts/helios/files/).
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { stringify as stringifyYaml } from "yaml";
import { buildCrd, CRD_FILE_HEADER, crdFileName, generateCrdFiles, type CrdFile } from "../src/api/crd/index.js";
import { HELIOS_RESOURCES, jsonBoundsPolicySpec } from "../src/api/index.js";

/** Where the chart reads the generated spec of its JSON bounds policy, relative to the repository root. */
export const JSON_BOUNDS_POLICY_FILE = join("charts", "helios", "files", "json-bounds-policy.yaml");

/** The policy's generated spec fields, as the chart template embeds them. */
export function renderJsonBoundsPolicy(): string {
  return CRD_FILE_HEADER + stringifyYaml(jsonBoundsPolicySpec(), { lineWidth: 0, aliasDuplicateObjects: false });
}

export async function writeJsonBoundsPolicy(root: string): Promise<string> {
  const path = join(root, JSON_BOUNDS_POLICY_FILE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderJsonBoundsPolicy());
  return path;
}

/** The chart's CRD templates, relative to the repository root. */
export const CHART_CRD_DIR = join("charts", "helios", "templates", "crds");

const CHART_CRD_HEADER = "# generated from src/api by `make crds` (hack/generate-crds.ts); do not edit\n";

/** Text helm prints as is: a `{{` in a description would otherwise start a template action. */
function escapeTemplateActions(yaml: string): string {
  return yaml.replaceAll("{{", '{{ "{{" }}');
}

/**
 * Each CRD as a chart template, as cert-manager ships its CRDs: rendered only with `crds.enabled`, with
 * the chart's labels, and annotated `helm.sh/resource-policy: keep` with `crds.keep`, so uninstalling the
 * release never deletes the users' objects with their CRDs.
 */
export function generateChartCrdTemplates(): CrdFile[] {
  return HELIOS_RESOURCES.map((resource) => {
    const crd = buildCrd(resource);
    const { name, ...otherMetadata } = crd.metadata;
    if (Object.keys(otherMetadata).length > 0) throw new Error(`${name}: the chart template writes the CRD's metadata; it must carry only a name`);
    const spec = stringifyYaml({ spec: crd.spec }, { sortMapEntries: true, lineWidth: 0 });
    const content = [
      "{{- if .Values.crds.enabled }}",
      CHART_CRD_HEADER.trimEnd(),
      `apiVersion: ${crd.apiVersion}`,
      `kind: ${crd.kind}`,
      "metadata:",
      `  name: ${name}`,
      "  labels:",
      '    {{- include "helios.labels" . | nindent 4 }}',
      "  {{- if .Values.crds.keep }}",
      "  annotations:",
      "    helm.sh/resource-policy: keep",
      "  {{- end }}",
      escapeTemplateActions(spec).trimEnd(),
      "{{- end }}",
      "",
    ].join("\n");
    return { fileName: crdFileName(resource), content };
  });
}

/** Writes `files` into `dir` and deletes generated files of kinds that no longer exist; returns the paths written. */
async function writeGenerated(dir: string, files: readonly CrdFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const wanted = new Set(files.map((f) => f.fileName));
  for (const existing of await readdir(dir)) {
    if (existing.startsWith("helios.dev_") && existing.endsWith(".yaml") && !wanted.has(existing)) {
      await rm(join(dir, existing));
    }
  }
  const written: string[] = [];
  for (const file of files) {
    const path = join(dir, file.fileName);
    await writeFile(path, file.content);
    written.push(path);
  }
  return written;
}

/** Write every CRD into `dir` and delete generated files of kinds that no longer exist; returns the paths written. */
export function writeCrds(dir: string): Promise<string[]> {
  return writeGenerated(dir, generateCrdFiles());
}

/** Write the chart's CRD templates under the repository `root`; returns the paths written. */
export function writeChartCrdTemplates(root: string): Promise<string[]> {
  return writeGenerated(join(root, CHART_CRD_DIR), generateChartCrdTemplates());
}

export { generateCrdFiles };

// Run from the repository root (as `make crds` does); an optional argument names another directory for
// crds/ (the chart's files are then left alone).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  const writes =
    dir === undefined
      ? Promise.all([writeCrds(resolve("crds")), writeChartCrdTemplates(resolve(".")), writeJsonBoundsPolicy(resolve(".")).then((p) => [p])]).then((p) => p.flat())
      : writeCrds(resolve(dir));
  writes.then(
    (paths) => process.stdout.write(paths.map((p) => `wrote ${p}\n`).join("")),
    (err: unknown) => {
      process.stderr.write(`generate-crds: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
