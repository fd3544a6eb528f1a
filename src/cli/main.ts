// Entry point of the helios program (`node dist/src/cli/main.js`, bin/helios, bin/kubectl-helios).
import { realpathSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "./program.js";

/** Runs the CLI on this process's arguments and exits with its code. */
export async function main(name?: string): Promise<never> {
  const script = process.argv[1] ?? "helios";
  const program = name ?? (basename(script) === "kubectl-helios" ? "kubectl helios" : "helios");
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }, program);
  // Exit explicitly: keep-alive sockets of the Kubernetes client would otherwise hold the process.
  process.exit(code);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main();
