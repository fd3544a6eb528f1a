// The built program: `bin/helios` as a process (exit codes, Ctrl-C ends --watch with 0) and
// `kubectl helios` as a kubectl plugin found on PATH.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { binaries, createNamespace, kubeConfig, kubeconfigPath, type CommandResult } from "../support/cluster.js";
import { closedPort, seedAgent, seedJob, writeKubeconfig } from "./support.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const BIN = join(ROOT, "bin");
// bin/helios starts with `#!/usr/bin/env node`: put this Node (24) first on PATH.
const PATH = [BIN, dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter);
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH, HOME: process.env["HOME"] ?? "/tmp", KUBECONFIG: kubeconfigPath(), ...extra });

function run(file: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((done, fail) => {
    execFile(file, [...args], { env: env(extraEnv), cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return fail(new Error(`${file} failed to run: ${err.message}`, { cause: err }));
      done({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

let ns: string;

beforeAll(async () => {
  // dist/ is built by the global setup.
  expect(existsSync(join(ROOT, "dist/src/cli/commands/jobs.js"))).toBe(true);
  ns = await createNamespace("cli-bin");
  const kc = kubeConfig();
  await seedAgent(kc, ns, "worker", { capabilities: ["io"] }, { phase: "Ready" }, 1_000);
  await seedJob(kc, ns, "report", { type: "report.generate" }, { phase: "Running", assignedAgent: "worker", attempt: 1, startedAt: new Date().toISOString() });
});

describe("bin/helios", () => {
  it("runs jobs -A and agents against the user's KUBECONFIG with exit 0", async () => {
    const jobs = await run(join(BIN, "helios"), ["jobs", "-A"]);
    expect(jobs.stderr).toBe("");
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(new RegExp(`\\n${ns}\\s+report\\s+report\\.generate\\s+normal\\s+Running\\s+worker\\s`));
    const agents = await run(join(BIN, "helios"), ["agents", "-n", ns, "-o", "json"]);
    expect(JSON.parse(agents.stdout)).toMatchObject([{ name: "worker", running: 1, heartbeatSource: "lease" }]);
  });

  it("exits 2 on bad usage and 1 when the cluster is unreachable", async () => {
    const usage = await run(join(BIN, "helios"), ["jobs", "--phase", "Nope"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('helios: invalid value "Nope" for --phase');
    const port = await closedPort();
    const dead = writeKubeconfig(join(mkdtempSync(join(tmpdir(), "helios-cli-bin-")), "dead"), `https://127.0.0.1:${port}`);
    const down = await run(join(BIN, "helios"), ["status"], { KUBECONFIG: dead });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`helios: cannot reach the cluster at https://127.0.0.1:${port}`);
  });

  it("ends --watch with exit 0 on Ctrl-C (SIGINT)", async () => {
    const child = spawn(join(BIN, "helios"), ["jobs", "-n", ns, "--watch"], { env: env(), cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    await vi.waitFor(() => expect(stdout).toMatch(/\nreport\s/), { timeout: 20_000 });
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});

describe("kubectl helios (plugin)", () => {
  it("is listed by kubectl plugin list when bin/ is on PATH", async () => {
    const out = await run(binaries().kubectl, ["plugin", "list"]);
    expect(out.stdout).toContain(join(BIN, "kubectl-helios"));
    expect(out.code).toBe(0);
  });

  it("runs kubectl helios jobs -A and names itself in hints", async () => {
    const jobs = await run(binaries().kubectl, ["helios", "jobs", "-A"]);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(new RegExp(`\\n${ns}\\s+report\\s`));
    const drain = await run(binaries().kubectl, ["helios", "drain", "worker", "-n", ns]);
    expect(drain.code).toBe(0);
    expect(drain.stdout).toContain(`Undo with: kubectl helios uncordon worker -n ${ns}`);
    const missing = await run(binaries().kubectl, ["helios", "cancel", "ghost", "-n", ns]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`kubectl helios: job.helios.dev "ghost" not found in namespace "${ns}"`);
  });
});
