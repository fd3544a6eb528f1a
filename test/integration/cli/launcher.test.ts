// bin/helios on a Node older than package.json's engines: it runs on the Node `make` installed, or says
// in one line which Node it needs and how to get it (before, it crashed inside the compiled program).
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../support/cluster.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const MAKE_CACHE = process.env["HELIOS_CACHE_DIR"] ?? join(homedir(), ".cache", "helios");
const REQUIRED = Number(((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node).replace(">=", ""));

/** The machine's own Node (Debian's), when it is older than the project needs. */
function oldNode(): string | undefined {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    try {
      const major = Number(execFileSync(candidate, ["-p", "process.versions.node.split('.')[0]"]).toString().trim());
      if (major < REQUIRED) return candidate;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

const OLD_NODE = oldNode();

function run(node: string, script: string, args: readonly string[], cacheDir: string): Promise<CommandResult> {
  return new Promise((done, fail) => {
    const env = { PATH: "/usr/bin:/bin", HOME: homedir(), HELIOS_CACHE_DIR: cacheDir };
    execFile(node, [join(ROOT, "bin", script), ...args], { env, cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return fail(new Error(`${script} failed to run: ${err.message}`, { cause: err }));
      done({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

// Skipped only on a machine whose own Node is new enough: then there is no old Node to start from.
describe.skipIf(OLD_NODE === undefined)(`bin/helios started by a Node older than ${REQUIRED}`, () => {
  const node = OLD_NODE ?? "";

  it("runs on the Node that make installed, with the program's own exit codes", async () => {
    const help = await run(node, "helios", ["--help"], MAKE_CACHE);
    expect(help.stderr).toBe("");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: helios /);

    const plugin = await run(node, "kubectl-helios", ["--help"], MAKE_CACHE);
    expect(plugin.code).toBe(0);
    expect(plugin.stdout).toMatch(/^Usage: kubectl helios /);

    const unknown = await run(node, "helios", ["no-such-command"], MAKE_CACHE);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no-such-command");
  });

  it("names the Node it needs and how to get it, in one line, when make installed none", async () => {
    const empty = mkdtempSync(join(tmpdir(), "helios-no-node-"));
    const result = await run(node, "helios", ["jobs"], empty);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^helios needs Node ${REQUIRED} or newer \\(this is Node \\d+\\.`));
    expect(lines[0]).toContain("make build");
    expect(lines[0]).not.toContain("Cannot read properties");
  });
});
