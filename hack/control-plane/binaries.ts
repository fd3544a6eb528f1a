// Builds kube-apiserver, kube-controller-manager, kubectl, etcd and helm from their Go wrapper modules, once per version.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withFileLock } from "./file-lock.js";
import { BINARIES, CACHE_DIR, binaryPaths, type BinaryPaths, type BinarySpec } from "./versions.js";

export type Reporter = (line: string) => void;

export const stderrReporter: Reporter = (line) => process.stderr.write(`[helios] ${line}\n`);

/** hack/go, whether running from source (hack/control-plane) or compiled (dist/hack/control-plane). */
function goModulesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "hack", "go"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find hack/go above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return join(dir, "hack", "go");
}

function outputsOf(spec: BinarySpec, cacheDir: string): string[] {
  return Object.values(spec.packages).map((exe) => join(cacheDir, spec.key, exe));
}

/** Returns the binaries' paths, building whatever the cache lacks (minutes on a cold machine). */
export async function ensureBinaries(report: Reporter = stderrReporter, cacheDir = CACHE_DIR): Promise<BinaryPaths> {
  for (const spec of BINARIES) {
    if (outputsOf(spec, cacheDir).every((p) => existsSync(p))) continue;
    await mkdir(cacheDir, { recursive: true });
    await withFileLock(join(cacheDir, `.${spec.key}.lock`), report, async () => {
      if (outputsOf(spec, cacheDir).every((p) => existsSync(p))) return; // another process built it meanwhile
      await buildSpec(spec, cacheDir, report);
    });
  }
  return binaryPaths(cacheDir);
}

async function buildSpec(spec: BinarySpec, cacheDir: string, report: Reporter): Promise<void> {
  const moduleDir = resolve(goModulesDir(), spec.module);
  const pkgs = Object.keys(spec.packages);
  const tags = spec.tags ? ["-tags", spec.tags] : [];
  const env = { ...process.env, CGO_ENABLED: "0" };
  const started = Date.now();
  report(`building ${spec.key} from Go modules (first run only; a few minutes on 2 cores)`);
  const deps = await run("go", ["list", "-deps", ...tags, ...pkgs], moduleDir, env);
  const total = new Set(deps.stdout.split("\n").filter(Boolean)).size;

  const tmp = await mkdtemp(join(cacheDir, `.build-${spec.key}-`));
  let compiled = 0;
  let lastReport = 0;
  const onLine = (line: string): void => {
    if (!line || line.startsWith("#")) return;
    compiled += 1;
    const now = Date.now();
    if (now - lastReport >= 10_000) {
      lastReport = now;
      report(`building ${spec.key}: ${compiled}/${total} packages compiled, ${Math.round((now - started) / 1000)}s`);
    }
  };
  try {
    // One package at a time with an exact -o, since Go names a binary after `server` for `.../server/v3`.
    for (const [pkg, exe] of Object.entries(spec.packages)) {
      await run("go", ["build", "-v", "-trimpath", ...tags, "-ldflags", spec.ldflags, "-o", join(tmp, exe), pkg], moduleDir, env, onLine);
    }
    const dest = join(cacheDir, spec.key);
    await mkdir(dest, { recursive: true });
    for (const exe of Object.values(spec.packages)) await rename(join(tmp, exe), join(dest, exe));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  report(`built ${spec.key} in ${Math.round((Date.now() - started) / 1000)}s`);
}

interface RunResult {
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, onStderrLine?: (l: string) => void): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (!onStderrLine) return;
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onStderrLine);
    });
    child.on("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "ENOENT" ? new Error(`'${cmd}' not found: install the Go toolchain (1.24 or newer) to build the local control plane`) : err),
    );
    child.on("close", (code) => {
      if (code === 0) resolvePromise({ stdout, stderr });
      else reject(new Error(`${cmd} ${args.slice(0, 2).join(" ")} failed (exit ${code}) in ${cwd}:\n${stderr.slice(-4000)}`));
    });
  });
}
