// `make crds`: writes crds/helios.dev_<plural>.yaml from the zod schemas in src/api, one CRD per file,
// and the chart's payload and result bounds policy from LIMITS (charts/helios/files/).
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { stringify } from "yaml";
import { CRD_FILE_HEADER, generateCrdFiles } from "../src/api/crd/index.js";
import { jsonBoundsPolicySpec } from "../src/api/index.js";

/** Where the chart reads the generated spec of its JSON bounds policy, relative to the repository root. */
export const JSON_BOUNDS_POLICY_FILE = join("charts", "helios", "files", "json-bounds-policy.yaml");

/** The policy's generated spec fields, as the chart template embeds them. */
export function renderJsonBoundsPolicy(): string {
  return CRD_FILE_HEADER + stringify(jsonBoundsPolicySpec(), { lineWidth: 0, aliasDuplicateObjects: false });
}

export async function writeJsonBoundsPolicy(root: string): Promise<string> {
  const path = join(root, JSON_BOUNDS_POLICY_FILE);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderJsonBoundsPolicy());
  return path;
}

/** Write every CRD into `dir` and delete generated files of kinds that no longer exist; returns the paths written. */
export async function writeCrds(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = generateCrdFiles();
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

export { generateCrdFiles };

// Run from the repository root (as `make crds` does); an optional argument names another directory.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = resolve(process.argv[2] ?? "crds");
  Promise.all([writeCrds(dir), writeJsonBoundsPolicy(resolve("."))]).then(([crds, policy]) => [...crds, policy]).then(
    (paths) => process.stdout.write(paths.map((p) => `wrote ${p}\n`).join("")),
    (err: unknown) => {
      process.stderr.write(`generate-crds: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
