// `make docs`: writes the generated reference pages under docs/reference/ (hack/docs); the staleness
// test (test/unit/docs/reference-fresh.test.ts) fails when the checked-in copies differ.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { generateDocFiles, REFERENCE_DIR } from "./docs/index.js";

/** Writes every generated page under `root`; returns the paths written. */
export async function writeDocs(root: string): Promise<string[]> {
  const dir = join(root, REFERENCE_DIR);
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const file of generateDocFiles(root)) {
    const path = join(dir, file.fileName);
    await writeFile(path, file.content);
    written.push(path);
  }
  return written;
}

// Run from the repository root, as `make docs` does.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeDocs(resolve(".")).then(
    (paths) => process.stdout.write(paths.map((p) => `wrote ${p}\n`).join("")),
    (err: unknown) => {
      process.stderr.write(`generate-docs: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
