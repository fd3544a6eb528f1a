// The npm packages from outside the repository: built and packed as `make packages` does, installed
// from their tarballs into a project in the OS temp dir with the registry's typescript, the examples
// copied in, type-checked there by the project's own `tsc --strict` and run against the local control
// plane with `helios operator` dispatching: the producer twice (100 Jobs, not 200), on the example agent.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_TYPE, type Job } from "../../../src/api/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { buildAndPackAll } from "../../../hack/packages.js";
import { ensureDistBuilt } from "../support/build.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl, type CommandResult } from "../support/cluster.js";
import { applyFlagOk } from "../flags/support.js";
import { eventually } from "../support/poll.js";
import { exited, freePort, jobBody, spawnHelios } from "../jobs/support.js";

const root = join(import.meta.dirname, "../../..");
const EXAMPLES = ["producer", "agent", "flags"] as const;
const jobs = new ResourceClient<Job>(new Transport(kubeConfig()), JOB_TYPE);

let project: string;
let namespace: string;
let operator: ChildProcess | undefined;
let agent: LiveProcess;
const running: LiveProcess[] = [];

/** The versions an example's package.json asks of a registry package (every example pins the same ones). */
function exampleDependencies(): string[] {
  const wanted = new Map<string, string>();
  for (const example of EXAMPLES) {
    const manifest = JSON.parse(readFileSync(join(root, "examples", example, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (!name.startsWith("@helios-dev/")) wanted.set(name, version);
    }
  }
  return [...wanted].map(([name, version]) => `${name}@${version}`);
}

function run(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number" && !err.killed) return reject(new Error(`${command} failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : err ? -1 : 0, stdout, stderr });
    });
  });
}

/** Runs an example with the project's Node (type stripping runs the .ts as it is). */
function runExample(file: string, env: Record<string, string> = {}): Promise<CommandResult> {
  return run(process.execPath, [file], { cwd: project, env: { KUBECONFIG: kubeconfigPath(), HELIOS_NAMESPACE: namespace, ...env }, timeoutMs: 150_000 });
}

interface LiveProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startExample(file: string, env: Record<string, string> = {}): LiveProcess {
  const child = spawn(process.execPath, [file], { cwd: project, env: { ...process.env, KUBECONFIG: kubeconfigPath(), HELIOS_NAMESPACE: namespace, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const live = { child, output: () => output, exited: exited(child) };
  running.push(live);
  return live;
}

function expectOk(result: CommandResult, what: string): void {
  expect(result.code, `${what}\n${result.stdout}\n${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  ensureDistBuilt(root);
  project = mkdtempSync(join(tmpdir(), "helios-outside-"));
  const { tarballs } = buildAndPackAll(root, join(project, "tarballs"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "helios-outside", private: true, type: "module" }));
  const install = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs, ...exampleDependencies()], { cwd: project, timeoutMs: 240_000 });
  expectOk(install, "npm install of the tarballs");
  for (const example of EXAMPLES) copyFileSync(join(root, "examples", example, `${example}.ts`), join(project, `${example}.ts`));
  copyFileSync(join(root, "examples", "agent", "tsconfig.json"), join(project, "tsconfig.json"));

  const [tenant, system] = await Promise.all([createNamespace("pkg-outside"), createNamespace("pkg-outside-system")]);
  namespace = tenant;
  const healthPort = await freePort();
  operator = spawnHelios(
    ["operator", "--kubeconfig", kubeconfigPath(), "--namespace", namespace, "--operator-namespace", system, "--metrics-bind-address", "0", "--health-probe-bind-address", `127.0.0.1:${healthPort}`],
    "packages-operator",
  );
  await eventually(async () => ((await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), "the operator ready", 60_000, 200);
  agent = startExample("agent.ts", { AGENT_NAME: "outside-agent" });
  await eventually(() => Promise.resolve(agent.output().includes("ready in namespace") ? true : undefined), "the example agent ready", 60_000, 100);
}, 400_000);

/** Creates a Job as a user would and waits for a terminal phase. */
async function submitAndFinish(name: string, type: string, payload: Record<string, unknown>): Promise<Job> {
  await jobs.create(jobBody(namespace, name, { type, payload }));
  return eventually(
    async () => {
      const job = await jobs.get({ namespace, name });
      return ["Succeeded", "Failed", "Expired", "Cancelled"].includes(job.status?.phase ?? "") ? job : undefined;
    },
    `${name} finished (agent: ${agent.output()})`,
    60_000,
    200,
  );
}

afterAll(async () => {
  for (const live of running) if (live.child.exitCode === null) live.child.kill("SIGKILL");
  await Promise.all(running.map((live) => live.exited));
  if (operator !== undefined && operator.exitCode === null) {
    operator.kill("SIGTERM");
    await exited(operator);
  }
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

describe("the packages installed from their tarballs outside the repository", () => {
  it("ship only their closure: no tests, no sources, no source maps, no operator code", () => {
    const files = (pkg: string): string[] => readdirSync(join(project, "node_modules", "@helios-dev", pkg, "dist"), { recursive: true, encoding: "utf8" });
    for (const pkg of ["client", "agent", "openfeature-provider"]) {
      const shipped = files(pkg);
      expect(shipped.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), pkg).toEqual([]);
      expect(shipped.filter((f) => f.endsWith(".map")), pkg).toEqual([]);
      expect(shipped.filter((f) => /^(controllers|cli|scheduling|audit)\//.test(f)), pkg).toEqual([]);
    }
  });

  it("type-check the examples with the project's own tsc --strict", async () => {
    expectOk(await run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--strict"], { cwd: project }), "tsc --strict");
  });

  it("run the example agent's own thumbnail handler: a result, and a terminal BadPayload for a bad payload", async () => {
    const done = await submitAndFinish("thumb-ok", "thumbnail", { image: "cat.png", width: 128 });
    expect(done.status).toMatchObject({ phase: "Succeeded", result: { thumbnail: "cat-128w.webp" } });
    const refused = await submitAndFinish("thumb-bad", "thumbnail", { image: "cat.png" });
    expect(refused.status).toMatchObject({ phase: "Failed", lastError: { reason: "BadPayload", terminal: true } });
    expect(refused.status?.retries ?? 0, "retries spent on a terminal failure").toBe(0);
  });

  it("run the example agent's thumbnail with progress until cancelled: the handler stops on its signal", async () => {
    await jobs.create(jobBody(namespace, "thumb-long", { type: "thumbnail", payload: { image: "big.png", width: 64, bands: 600 } }));
    const progressing = await eventually(
      async () => {
        const job = await jobs.get({ namespace, name: "thumb-long" });
        return job.status?.phase === "Running" && (job.status.progress?.percent ?? 0) > 0 ? job : undefined;
      },
      `thumb-long Running with progress (agent: ${agent.output()})`,
      60_000,
      200,
    );
    expect(progressing.status?.progress?.message).toMatch(/^resized band \d+ of 600$/);
    expectOk(await kubectl(["patch", "hjob", "thumb-long", "-n", namespace, "--type", "merge", "-p", '{"spec":{"cancel":true}}']), "kubectl patch spec.cancel");
    await eventually(() => Promise.resolve(/thumbnail of big\.png stopped after \d+ of 600 bands: .*Cancelled/.test(agent.output()) ? true : undefined), `the handler stopped (agent: ${agent.output()})`, 30_000, 100);
    await eventually(async () => ((await jobs.get({ namespace, name: "thumb-long" })).status?.phase === "Cancelled" ? true : undefined), "thumb-long Cancelled", 30_000, 200);
  });

  it("run the producer twice on the example agent: 100 Jobs, each result returned, the failing one a JobFailed with lastError", async () => {
    const first = await runExample("producer.ts");
    expectOk(first, "the first producer run");
    expect(first.stdout).toContain("submitted 100 jobs: 100 created, 0 already existed");
    const second = await runExample("producer.ts");
    expectOk(second, "the second producer run");
    expect(second.stdout).toContain("submitted 100 jobs: 0 created, 100 already existed");

    const echoJobs = (await jobs.list({ namespace })).items.filter((j) => j.spec.type === "echo");
    expect(echoJobs).toHaveLength(100);
    expect(echoJobs.every((j) => j.status?.phase === "Succeeded")).toBe(true);
    expect(new Set(echoJobs.map((j) => j.status?.assignedAgent))).toEqual(new Set(["outside-agent"]));
    for (const output of [first.stdout, second.stdout]) {
      for (let i = 0; i < 100; i++) expect(output).toContain(`Succeeded {"message":"hello from job ${i}"}`);
      expect(output).toMatch(/JobFailed: example-fail-\S+ failed: RetriesExhausted: .*failing on purpose/);
    }
  });

  it("stop the example agent on SIGTERM: it drains and exits 0", async () => {
    agent.child.kill("SIGTERM");
    expect(await agent.exited, agent.output()).toBe(0);
    expect(agent.output()).toContain("agent stopped");
  });

  it("run the flags example: it reads the flag, then sees the change the test applies", async () => {
    await applyFlagOk(namespace, "checkout-banner", { state: "ENABLED", variants: { plain: "Welcome", sale: "Summer sale" }, defaultVariant: "plain" });
    const app = startExample("flags.ts", { EXIT_AFTER_CHANGES: "1" });
    await eventually(() => Promise.resolve(app.output().includes("checkout-banner = Welcome") ? true : undefined), `the first value: ${app.output()}`, 60_000, 100);
    await applyFlagOk(namespace, "checkout-banner", { state: "ENABLED", variants: { plain: "Welcome", sale: "Summer sale" }, defaultVariant: "sale" });
    expect(await app.exited, app.output()).toBe(0);
    expect(app.output()).toContain("checkout-banner changed to Summer sale");
  });
});
