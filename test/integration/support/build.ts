// Compiles the project to dist/ once per test run, for tests that run `helios` as a process.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const SOURCES = ["src", "hack", "bench"];
const MARKER = join("dist", "src", "cli", "main.js");

function newestSourceMtime(root: string): number {
  let newest = statSync(join(root, "tsconfig.build.json")).mtimeMs;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCES) if (existsSync(join(root, dir))) walk(join(root, dir));
  return newest;
}

/** Runs tsc on tsconfig.build.json unless dist/ is newer than every source (tsc rewrites every output). */
export function ensureDistBuilt(root: string): void {
  const marker = join(root, MARKER);
  if (existsSync(marker) && statSync(marker).mtimeMs > newestSourceMtime(root)) return;
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "pipe" });
  } catch (err) {
    const output = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err);
    throw new Error(`tsc -p tsconfig.build.json failed:\n${output.slice(0, 4000)}`, { cause: err });
  }
}
