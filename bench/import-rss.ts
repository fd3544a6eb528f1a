// Import cost of the npm packages: the resident set of a fresh Node process after `import()` of each
// package's entry (as packed: packages/<name>/dist, resolving its dependencies from the repository's
// node_modules), next to the agent SDK as dist/src compiles it and a process importing nothing.
//
// Run: `npx tsc -p tsconfig.build.json && node dist/bench/import-rss.js [--runs N] [--out DIR]`.
// Writes DIR/import-rss-<timestamp>.json (default bench/results) with `importRss.<entry>.rssMb`, the
// median of N processes (default 7), each measured after a forced GC.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { buildPackage, PACKAGES_DIR, readRootManifest } from "../hack/packages.js";
import { REPO_ROOT } from "./cluster.js";

/** What each measured entry imports, relative to the repository root. */
export const IMPORT_ENTRIES = {
  client: join(PACKAGES_DIR, "client", "dist", "client", "index.js"),
  agent: join(PACKAGES_DIR, "agent", "dist", "agent", "index.js"),
  provider: join(PACKAGES_DIR, "openfeature-provider", "dist", "flags", "openfeature-provider.js"),
  agentDist: join("dist", "src", "agent", "index.js"),
} as const;

const entryResultSchema = z.object({
  /** Median resident set after the import, MB; null when the entry is not built. */
  rssMb: z.number().nullable(),
  /** The median's increase over a process importing nothing. */
  overBaselineMb: z.number().nullable(),
  runsMb: z.array(z.number()),
});

export const importRssReportSchema = z.object({
  startedAt: z.string(),
  node: z.string(),
  runs: z.number().int().positive(),
  importRss: z.object({
    baseline: entryResultSchema,
    client: entryResultSchema,
    agent: entryResultSchema,
    provider: entryResultSchema,
    agentDist: entryResultSchema,
  }),
});
export type ImportRssReport = z.infer<typeof importRssReportSchema>;

const MB = 1024 * 1024;

/** RSS in MB of a fresh process after importing `file` (nothing when undefined), after a forced GC. */
function measureOnce(file: string | undefined): number {
  const load = file === undefined ? "" : `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  const script = `${load} globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss));`;
  const output = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: REPO_ROOT, encoding: "utf8" });
  return Number(output) / MB;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const round = (mb: number): number => Math.round(mb * 10) / 10;

export function measureImportRss(runs: number): ImportRssReport {
  const rootManifest = readRootManifest(REPO_ROOT);
  for (const name of ["client", "agent", "openfeature-provider"]) {
    const dir = join(REPO_ROOT, PACKAGES_DIR, name);
    if (existsSync(join(dir, "package.json"))) buildPackage(REPO_ROOT, dir, rootManifest);
  }
  const sample = (file: string | undefined): number[] => Array.from({ length: runs }, () => round(measureOnce(file)));
  const baselineRuns = sample(undefined);
  const baseline = median(baselineRuns);
  const entry = (relativePath: string): z.infer<typeof entryResultSchema> => {
    const file = join(REPO_ROOT, relativePath);
    if (!existsSync(file)) return { rssMb: null, overBaselineMb: null, runsMb: [] };
    const runsMb = sample(file);
    const rss = median(runsMb);
    return { rssMb: round(rss), overBaselineMb: round(rss - baseline), runsMb };
  };
  return {
    startedAt: new Date().toISOString(),
    node: process.version,
    runs,
    importRss: {
      baseline: { rssMb: round(baseline), overBaselineMb: 0, runsMb: baselineRuns },
      client: entry(IMPORT_ENTRIES.client),
      agent: entry(IMPORT_ENTRIES.agent),
      provider: entry(IMPORT_ENTRIES.provider),
      agentDist: entry(IMPORT_ENTRIES.agentDist),
    },
  };
}

function main(argv: readonly string[]): void {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const runs = Number(value("--runs") ?? "7");
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number from 1 up, got ${value("--runs")}`);
  const out = value("--out") ?? join(REPO_ROOT, "bench", "results");
  const report = measureImportRss(runs);
  mkdirSync(out, { recursive: true });
  const path = join(out, `import-rss-${report.startedAt.replace(/:/g, "-").replace(/\.\d+Z$/, "Z")}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  for (const [name, result] of Object.entries(report.importRss)) {
    process.stdout.write(`${name.padEnd(10)} ${result.rssMb === null ? "not built" : `${result.rssMb} MB RSS (+${result.overBaselineMb} MB)`}\n`);
  }
  process.stdout.write(`results: ${path}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
