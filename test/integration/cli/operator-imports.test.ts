// `helios operator` loads neither @kubernetes/client-node (~85 MB of memory just to import) nor the
// modules of the other commands, and `helios agent` not even prom-client unless it serves metrics:
// a resolve hook in the real built program records every module it loads.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const MAIN = join(ROOT, "dist/src/cli/main.js");

// Records the URL of every module resolved in the process, written as JSON when it exits.
const HOOK = `
import { registerHooks } from "node:module";
import { writeFileSync } from "node:fs";
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
process.on("exit", () => writeFileSync(process.env.HELIOS_MODULES_OUT, JSON.stringify([...seen])));
`;

/** The modules `node dist/src/cli/main.js ...args` loads (it must exit 0). */
function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "helios-imports-"));
  const hook = join(dir, "hook.mjs");
  const out = join(dir, "modules.json");
  writeFileSync(hook, HOOK);
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(hook).href, MAIN, ...args],
      { env: { ...process.env, HELIOS_MODULES_OUT: out }, timeout: 60_000 },
      (err, _stdout, stderr) => {
        if (err) return fail(new Error(`helios ${args.join(" ")} failed: ${stderr}`, { cause: err }));
        done(JSON.parse(readFileSync(out, "utf8")) as string[]);
      },
    );
  });
}

const commandModule = (url: string) => /\/dist\/src\/cli\/commands\/([\w-]+)\.js$/.exec(url)?.[1];

describe("helios operator's module graph", () => {
  it("has no @kubernetes/client-node and no other command's module", async () => {
    // dist/ is built by the global setup.
    expect(existsSync(MAIN)).toBe(true);
    const modules = await modulesLoadedBy(["operator", "--help"]);
    expect(modules.some((url) => url.includes("/runtime/kubeconfig/"))).toBe(true);
    expect(modules.filter((url) => url.includes("/node_modules/@kubernetes/client-node/"))).toEqual([]);
    expect(modules.map(commandModule).filter((name) => name !== undefined)).toEqual(["index", "operator"]);
  });

  it("helios agent has neither client-node nor prom-client (loaded only with --metrics-bind-address)", async () => {
    const modules = await modulesLoadedBy(["agent", "--help"]);
    expect(modules.some((url) => url.includes("/dist/src/agent/agent.js"))).toBe(true);
    expect(modules.filter((url) => /\/node_modules\/(@kubernetes\/client-node|prom-client)\//.test(url))).toEqual([]);
  });

  it("loads client-node for the commands that still use it (the probe can see it)", async () => {
    const modules = await modulesLoadedBy(["audit", "--help"]);
    expect(modules.some((url) => url.includes("/node_modules/@kubernetes/client-node/"))).toBe(true);
  });
});
