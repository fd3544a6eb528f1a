// Compiles the project once for tests that run the `helios` CLI as a process.
import { existsSync } from "node:fs";

/** Checks that the global setup built the commands the tests run. */
export function buildCli(): void {
  for (const file of ["dist/src/cli/commands/operator.js", "dist/src/cli/commands/agent.js"]) {
    if (!existsSync(file)) throw new Error(`${file} was not built`);
  }
}
