// Compiles the project once for tests that run the `helios` CLI as a process.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/**
 * Runs tsc on tsconfig.build.json. tsc emits even when some file has type errors (another change in
 * progress), so its exit code is not ours to judge; the commands the tests run must exist.
 */
export function buildCli(): void {
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "ignore" });
  } catch {
    // checked below
  }
  for (const file of ["dist/src/cli/commands/operator.js", "dist/src/cli/commands/agent.js"]) {
    if (!existsSync(file)) throw new Error(`${file} was not built`);
  }
}
