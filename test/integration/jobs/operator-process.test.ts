// `helios operator` as a process: jobs submitted with kubectl succeed on an SDK agent, /metrics exports
// the helios_* business metrics, and SIGTERM stops it cleanly.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { buildCli } from "./support-build.js";
import { clients, exited, freePort, listJobs, phases, spawnHelios, startAgent, waitFor, waitReady } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;
let operator: ChildProcess | undefined;
let metricsPort = 0;
let healthPort = 0;
let agent: HeliosAgent | undefined;

async function scrape(): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  return response.text();
}

/** The value of one sample line, e.g. `helios_jobs{namespace="x",queue="default",phase="Succeeded"}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

beforeAll(async () => {
  buildCli();
  const [tenant, system] = await Promise.all([createNamespace("jobs-proc"), createNamespace("jobs-proc-system")]);
  ns = tenant;
  [metricsPort, healthPort] = await Promise.all([freePort(), freePort()]);
  operator = spawnHelios(
    [
      "operator",
      "--kubeconfig",
      kubeconfigPath(),
      "--namespace",
      ns,
      "--operator-namespace",
      system,
      "--metrics-bind-address",
      `127.0.0.1:${metricsPort}`,
      "--health-probe-bind-address",
      `127.0.0.1:${healthPort}`,
      "--agent-stale-timeout",
      "5s",
    ],
    "process-operator",
  );
  await waitFor("operator ready", async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200, 30_000);
}, 300_000);

afterAll(async () => {
  await agent?.drain(0);
  if (operator !== undefined && operator.exitCode === null) {
    operator.kill("SIGKILL");
    await exited(operator);
  }
});

describe("helios operator (process)", () => {
  it("dispatches kubectl-submitted jobs and exports helios_* metrics", async () => {
    agent = await startAgent(kc, { name: "proc-agent", namespace: ns, maxConcurrency: 4 });
    // agent-health may not be in the operator yet: without it the agent stays unjudged.
    await waitReady(c, ns, ["proc-agent"]).catch(() => undefined);
    const manifests = Array.from({ length: 10 }, (_, i) =>
      ["apiVersion: helios.dev/v1alpha1", "kind: Job", `metadata: {name: p-${i}, namespace: ${ns}}`, `spec: {type: echo, priority: ${i % 2 === 0 ? "high" : "low"}, payload: {message: m${i}}}`].join("\n"),
    ).join("\n---\n");
    const applied = await kubectl(["apply", "-f", "-"], { input: manifests });
    expect(applied.code, applied.stderr).toBe(0);
    await waitFor(
      "ten jobs Succeeded",
      async () => {
        const jobs = await listJobs(c, ns);
        return jobs.length === 10 && jobs.every((j) => j.status?.phase === "Succeeded");
      },
      30_000,
      async () => JSON.stringify(phases(await listJobs(c, ns))),
    );
    // helios_jobs counts the operator's cache, which may be a watch event behind the API just read.
    const succeeded = async () => sample(await scrape(), "helios_jobs", { namespace: ns, queue: "default", phase: "Succeeded" });
    await waitFor("helios_jobs to count ten Succeeded", async () => (await succeeded()) === 10, 10_000, async () => `helios_jobs Succeeded = ${await succeeded()}`);
    const text = await scrape();
    expect(sample(text, "helios_job_schedule_latency_seconds_count", { namespace: ns, priority: "high" })).toBe(5);
    expect(sample(text, "helios_jobs_assigned_total", { namespace: ns })).toBe(10);
    expect(sample(text, "helios_dispatch_cycle_seconds_count", { result: "success" })).toBeGreaterThan(0);
    expect(text).toContain("# TYPE helios_queue_depth gauge");
    expect(text).toContain("# TYPE helios_queue_oldest_seconds gauge");
    expect(text).toContain("# TYPE helios_job_run_seconds histogram");
    expect(text).toContain("# TYPE helios_job_retries_total counter");
  });

  it("reports queue depth and the oldest wait for jobs no agent serves", async () => {
    const applied = await kubectl(["apply", "-f", "-"], {
      input: ["apiVersion: helios.dev/v1alpha1", "kind: Job", `metadata: {name: stuck, namespace: ${ns}}`, "spec: {type: echo, queue: unserved, priority: critical}"].join("\n"),
    });
    expect(applied.code, applied.stderr).toBe(0);
    await waitFor("queue depth 1", async () => sample(await scrape(), "helios_queue_depth", { namespace: ns, queue: "unserved", priority: "critical" }) === 1, 15_000);
    await waitFor("oldest wait grows", async () => (sample(await scrape(), "helios_queue_oldest_seconds", { namespace: ns, queue: "unserved" }) ?? 0) >= 1, 15_000);
  });

  it("stops cleanly on SIGTERM", async () => {
    const proc = operator;
    if (proc === undefined) throw new Error("operator not started");
    proc.kill("SIGTERM");
    expect(await exited(proc)).toBe(0);
  });
});
