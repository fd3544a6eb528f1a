// `make crds`: writes charts/helios/values.schema.json from the zod schema of the chart's values.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { renderValuesSchema, VALUES_SCHEMA_PATH } from "../src/chart/index.js";

/** Writes the schema under `root`; returns the path written. */
export async function writeValuesSchema(root: string): Promise<string> {
  const path = resolve(root, VALUES_SCHEMA_PATH);
  await writeFile(path, renderValuesSchema());
  return path;
}

// Run from the repository root (as `make crds` does).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeValuesSchema(process.cwd()).then(
    (path) => process.stdout.write(`wrote ${path}\n`),
    (err: unknown) => {
      process.stderr.write(`generate-values-schema: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
