// Helpers for the job-lifecycle tests: the operator in-process (the same buildOperator as `helios
// operator`) or as a process, SDK agents, job creation and waiting on conditions with deadlines.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { createAgent, builtinHandlers, type HeliosAgent } from "../../../src/agent/index.js";
import { AGENT_TYPE, JOB_TYPE, type Agent, type Job, type JobInput } from "../../../src/api/index.js";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import type { Logger } from "../../../src/runtime/log/index.js";
import type { Registry } from "../../../src/runtime/metrics/index.js";
import { kubeconfigPath } from "../support/cluster.js";
import { freePort } from "../../../hack/control-plane/index.js";
export { freePort };

/** Where operator and agent logs of these tests go (git-ignored). */
export const LOG_DIR = join(process.cwd(), ".helios", "test-logs", "jobs");

export function fileLogger(name: string, level = process.env["HELIOS_TEST_LOG_LEVEL"] ?? "info"): Logger {
  mkdirSync(LOG_DIR, { recursive: true });
  return pino({ level, base: { component: name } }, createWriteStream(join(LOG_DIR, `${name}.log`), { flags: "a" }));
}

export interface Clients {
  readonly jobs: ResourceClient<Job>;
  readonly agents: ResourceClient<Agent>;
}

export function clients(kc: KubeConfig): Clients {
  const transport = new Transport(kc);
  return { jobs: new ResourceClient<Job>(transport, JOB_TYPE), agents: new ResourceClient<Agent>(transport, AGENT_TYPE) };
}

export interface RunningOperator {
  readonly stop: () => Promise<void>;
  /** The operator's /metrics registry. */
  readonly registry: Registry;
}

/**
 * Runs the operator in this process, exactly as `helios operator` builds it, with `flags` given as on
 * the command line (without dashes, e.g. `{ "job-ack-timeout": "5s" }`). Leader election is off.
 */
export async function startOperator(namespaces: readonly string[], operatorNamespace: string, flags: Record<string, string> = {}, name = "operator"): Promise<RunningOperator> {
  const raw: Record<string, string | readonly string[]> = {
    kubeconfig: kubeconfigPath(),
    namespace: namespaces,
    operatorNamespace,
    metricsBindAddress: "0",
    healthProbeBindAddress: "0",
    agentStaleTimeout: "5s",
    gracefulShutdownTimeout: "10s",
  };
  for (const [flag, value] of Object.entries(flags)) raw[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  const config = resolveOperatorConfig(raw, {});
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  const log = fileLogger(name);
  const manager = buildOperator(config, kc, log);
  const stopper = new AbortController();
  const running = manager.start(stopper.signal);
  running.catch(() => undefined);
  return {
    registry: manager.registry,
    stop: async () => {
      stopper.abort();
      await running;
    },
  };
}

/** Sum of a counter's samples over all labels in `registry` (0 when absent). */
export async function metricTotal(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.reduce((n, v) => n + v.value, 0);
}

export interface AgentSpec {
  readonly name: string;
  readonly namespace: string;
  readonly maxConcurrency?: number;
  readonly queues?: readonly string[];
  readonly capabilities?: readonly string[];
  readonly ackDelayMs?: number;
}

/** Starts an in-process SDK agent with the built-in handlers and a short lease. */
export async function startAgent(kc: KubeConfig, spec: AgentSpec): Promise<HeliosAgent> {
  const agent = createAgent({
    name: spec.name,
    namespace: spec.namespace,
    maxConcurrency: spec.maxConcurrency ?? 1,
    ...(spec.queues === undefined ? {} : { queues: spec.queues }),
    ...(spec.capabilities === undefined ? {} : { capabilities: spec.capabilities }),
    handlers: builtinHandlers(),
    kubeConfig: kc,
    leaseDurationSeconds: 4,
    progressIntervalMs: 500,
    ...(spec.ackDelayMs === undefined ? {} : { ackDelayMs: spec.ackDelayMs }),
    log: fileLogger(`agent-${spec.namespace}-${spec.name}`, "warn"),
  });
  await agent.start();
  return agent;
}

/** Runs the compiled `helios` CLI (build first) as a child process; output goes to a log file. */
export function spawnHelios(args: readonly string[], logName: string): ChildProcess {
  mkdirSync(LOG_DIR, { recursive: true });
  const out = createWriteStream(join(LOG_DIR, `${logName}.log`), { flags: "a" });
  const child = spawn(process.execPath, ["bin/helios", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}


/** Polls `check` until it holds; fails with `describe()` at the deadline. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => string | Promise<string> = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms. ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Job body as a user submits it. */
export function jobBody(namespace: string, name: string, spec: Partial<JobInput["spec"]> & { type: string }): Job {
  // The apiserver applies the CRD defaults (priority, queue, retry), so a partial spec is a valid submission.
  return { apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name, namespace }, spec } as Job;
}

/** Creates jobs with at most `concurrency` creates in flight. */
export async function createJobs(c: Clients, jobs: readonly Job[], concurrency = 16): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as Job;
        await c.jobs.create(job);
      }
    }),
  );
}

export async function listJobs(c: Clients, namespace: string): Promise<Job[]> {
  return (await c.jobs.listAll({ namespace })).items;
}

/** Counts of jobs per phase ("" for no status), for failure messages. */
export function phases(jobs: readonly Job[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const j of jobs) {
    const p = j.status?.phase ?? "";
    out[p] = (out[p] ?? 0) + 1;
  }
  return out;
}

/** Waits until `agent` is Ready per agent-health. */
export async function waitReady(c: Clients, namespace: string, names: readonly string[], timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `agents ${names.join(",")} Ready`,
    async () => {
      const agents = (await c.agents.list({ namespace })).items;
      return names.every((n) => agents.some((a) => a.metadata.name === n && a.status?.phase === "Ready"));
    },
    timeoutMs,
    async () => JSON.stringify((await c.agents.list({ namespace })).items.map((a) => [a.metadata.name, a.status?.phase])),
  );
}
