// Never flap a healthy agent: `helios operator --agent-stale-timeout 6s` next to two `helios agent`s on
// the default 40 s lease (renewed every 10 s) runs 40 jobs of 20 s, all at once, every one Succeeded on
// attempt 1: each job outlives a renewal period and the 6 s the flag asks for, so an operator that judged
// by the flag alone would call both agents Offline between renewals and requeue every job. Each Agent
// gets one Warning `StaleTimeoutRaised` Event, and the operator one log line per agent, saying why.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../../src/api/index.js";
import { EVENTS, LEASES, ResourceClient, Transport, type KubeEvent, type Lease } from "../../../src/runtime/client/index.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { buildCli } from "./support-build.js";
import { clients, createJobs, exited, freePort, jobBody, listJobs, LOG_DIR, phases, spawnHelios, waitFor, waitReady } from "./support.js";

const STALE_TIMEOUT = "6s";
const AGENTS = ["w1", "w2"];
const JOBS = 40;
const JOB_RUN = "20s";

const kc = kubeConfig();
const c = clients(kc);
const transport = new Transport(kc);
const events = new ResourceClient<KubeEvent>(transport, EVENTS);
const leases = new ResourceClient<Lease>(transport, LEASES);
let ns: string;
let operatorLog: string;
let metricsPort = 0;
const processes: ChildProcess[] = [];

async function scrape(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

/** The value of one sample line of `name` whose labels include `labels` (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** The operator's JSON log lines about this test's namespace. */
function operatorLines(): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(join(LOG_DIR, `${operatorLog}.log`), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line["namespace"] === ns);
}

beforeAll(async () => {
  buildCli();
  const [tenant, system] = await Promise.all([createNamespace("stale-timeout"), createNamespace("stale-timeout-system")]);
  ns = tenant;
  operatorLog = `stale-timeout-operator-${ns}`;
  const healthPort = await freePort();
  metricsPort = await freePort();
  const operatorArgs = ["--kubeconfig", kubeconfigPath(), "--namespace", ns, "--operator-namespace", system, "--agent-stale-timeout", STALE_TIMEOUT];
  processes.push(
    spawnHelios(["operator", ...operatorArgs, "--metrics-bind-address", `127.0.0.1:${metricsPort}`, "--health-probe-bind-address", `127.0.0.1:${healthPort}`], operatorLog),
  );
  await waitFor("operator ready", async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200, 30_000);
  // The default lease (no --lease-duration): 40 s, renewed every 10 s.
  for (const name of AGENTS) {
    processes.push(
      spawnHelios(
        ["agent", "--name", name, "--namespace", ns, "--kubeconfig", kubeconfigPath(), "--operator-namespace", system, "--max-concurrency", String(JOBS / AGENTS.length), "--log-level", "warn"],
        `stale-timeout-${ns}-${name}`,
      ),
    );
  }
}, 300_000);

afterAll(async () => {
  for (const child of processes) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited(child);
  }
});

describe("--agent-stale-timeout below the agents' lease", () => {
  it("runs 40 jobs on two live agents, every one Succeeded on attempt 1, and says once per agent that the timeout was raised", async () => {
    await waitReady(c, ns, AGENTS, 30_000);
    const durations = await Promise.all(AGENTS.map(async (name) => (await leases.get({ namespace: ns, name })).spec?.leaseDurationSeconds));
    expect(durations).toEqual([40, 40]);

    await createJobs(
      c,
      Array.from({ length: JOBS }, (_, i) => jobBody(ns, `long-${i}`, { type: "sleep", payload: { duration: JOB_RUN } })),
    );
    let jobs: Job[] = [];
    await waitFor(
      `all ${JOBS} Succeeded on attempt 1`,
      async () => {
        jobs = await listJobs(c, ns);
        // A requeue is the failure this test is about: stop at the first one instead of waiting it out.
        const requeued = jobs.find((j) => (j.status?.attempt ?? 0) > 1 || (j.status?.retries ?? 0) > 0 || j.status?.phase === "Failed");
        if (requeued !== undefined) throw new Error(`job ${requeued.metadata.name} was taken from its agent: ${JSON.stringify(requeued.status?.attempts)}`);
        return jobs.length === JOBS && jobs.every((j) => j.status?.phase === "Succeeded");
      },
      120_000,
      () => JSON.stringify(phases(jobs)),
    );

    for (const job of jobs) {
      expect(job.status, job.metadata.name).toMatchObject({ phase: "Succeeded", attempt: 1 });
      expect(job.status?.attempts?.map((a) => a.outcome)).toEqual(["Succeeded"]);
    }
    // Both agents worked, together more than a renewal period (each job ran 20 s).
    expect(new Set(jobs.map((j) => j.status?.attempts?.[0]?.agent))).toEqual(new Set(AGENTS));
    for (const name of AGENTS) expect((await c.agents.get({ namespace: ns, name })).status?.phase).toBe("Ready");
    // Never Offline, not even for a moment between renewals: one transition per agent, to Ready.
    const metrics = await scrape();
    expect(sample(metrics, "helios_agent_transitions_total", { phase: "Offline" }) ?? 0).toBe(0);
    expect(sample(metrics, "helios_agent_transitions_total", { phase: "Ready" })).toBe(AGENTS.length);

    // One Warning Event per Agent (not one per renewal), naming the flag, the lease and the bound.
    let raised: KubeEvent[] = [];
    await waitFor(
      "a StaleTimeoutRaised Event on each Agent",
      async () => {
        raised = (await events.listAll({ namespace: ns })).items.filter((e) => e.reason === "StaleTimeoutRaised");
        return raised.length >= AGENTS.length;
      },
      10_000,
      () => JSON.stringify(raised),
    );
    expect(raised.map((e) => e.regarding.name).sort()).toEqual(AGENTS);
    for (const event of raised) {
      expect(event).toMatchObject({ type: "Warning", regarding: { kind: "Agent", namespace: ns } });
      expect(event.series).toBeUndefined();
      expect(event.note).toContain(`--agent-stale-timeout ${STALE_TIMEOUT}`);
      expect(event.note).toContain("leaseDurationSeconds 40, renewed every 10s");
      expect(event.note).toContain("Offline after 50s");
    }
    // And one log line per agent.
    await waitFor("the operator's StaleTimeoutRaised log lines", () => operatorLines().some((l) => l["reason"] === "StaleTimeoutRaised"), 10_000);
    const lines = operatorLines().filter((l) => l["reason"] === "StaleTimeoutRaised");
    expect(lines.map((l) => l["name"]).sort()).toEqual(AGENTS);
    for (const line of lines) expect(line).toMatchObject({ level: "warn", configuredMs: 6000, effectiveMs: 50_000, leaseDurationSeconds: 40 });
  }, 240_000);
});

