// Recovery on the real apiserver: an agent killed mid-run (SIGKILL, no goodbye) goes Offline and its
// jobs finish on another agent, each lost attempt recorded as Requeued with AgentOffline. A job moves
// to an agent with room in one status write (no Pending version between the two attempts), and goes
// back to Pending when no agent can take it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { JOB_TYPE, type Job } from "../../../src/api/index.js";
import { Informer } from "../../../src/runtime/cache/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { buildCli } from "./support-build.js";
import { clients, createJobs, exited, jobBody, listJobs, phases, spawnHelios, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;
let operator: RunningOperator | undefined;
const agents: HeliosAgent[] = [];
const stopWatch = new AbortController();
/** Every version of each job the watch delivered, as `phase:attempt:agent`. */
const versions = new Map<string, string[]>();

beforeAll(async () => {
  buildCli();
  const [tenant, system] = await Promise.all([createNamespace("jobs-kill"), createNamespace("jobs-kill-system")]);
  ns = tenant;
  const informer = new Informer<Job>(new ResourceClient<Job>(new Transport(kc), JOB_TYPE), { namespace: ns, resyncPeriodMs: 0 });
  const record = (job: Job): void => {
    const name = job.metadata.name ?? "";
    const seen = versions.get(name) ?? [];
    seen.push(`${job.status?.phase ?? ""}:${job.status?.attempt ?? 0}:${job.status?.assignedAgent ?? ""}`);
    versions.set(name, seen);
  };
  informer.addEventHandler({ onAdd: record, onUpdate: (_, job) => record(job) });
  void informer.start(stopWatch.signal);
  await informer.waitForSync(stopWatch.signal);
  operator = await startOperator([ns], system, { "agent-stale-timeout": "4s" }, "recovery-operator");
}, 300_000);

afterAll(async () => {
  stopWatch.abort();
  await Promise.all(agents.map((a) => a.drain(0)));
  await operator?.stop();
});

/** Starts `helios agent` as a process (SIGKILL it to lose it). */
function spawnVictim(name: string, extra: readonly string[] = []) {
  return spawnHelios(
    ["agent", "--name", name, "--namespace", ns, "--kubeconfig", kubeconfigPath(), "--max-concurrency", "3", "--lease-duration", "2s", "--ack-delay", "200ms", "--log-level", "warn", ...extra],
    `recovery-${name}`,
  );
}

describe("agent loss", () => {
  it("finishes the jobs of a SIGKILLed agent on another agent", async () => {
    const victim = spawnVictim("victim");
    try {
      await waitReady(c, ns, ["victim"]);
      const jobs: Job[] = [0, 1, 2].map((i) => jobBody(ns, `long-${i}`, { type: "sleep", payload: { duration: "6s" }, retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 2 } }));
      await createJobs(c, jobs, 3);
      await waitFor(
        "all three Running on victim",
        async () => (await listJobs(c, ns)).filter((j) => j.status?.phase === "Running" && j.status.assignedAgent === "victim").length === 3,
        20_000,
        async () => JSON.stringify(phases(await listJobs(c, ns))),
      );
    } finally {
      victim.kill("SIGKILL");
      await exited(victim);
    }
    const killedAt = Date.now();
    agents.push(await startAgent(kc, { name: "survivor", namespace: ns, maxConcurrency: 3 }));

    let all: Job[] = [];
    await waitFor(
      "all three Succeeded",
      async () => {
        all = await listJobs(c, ns);
        return all.length === 3 && all.every((j) => j.status?.phase === "Succeeded");
      },
      45_000,
      () => JSON.stringify(all.map((j) => j.status)),
    );
    // Stale after 4 s, backoff at most 2 s, 6 s of work: well within 30 s of the kill.
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    for (const job of all) {
      const attempts = job.status?.attempts ?? [];
      expect(attempts[0]).toMatchObject({ attempt: 1, agent: "victim", outcome: "Requeued", reason: "AgentOffline" });
      expect(attempts.at(-1)).toMatchObject({ agent: "survivor", outcome: "Succeeded" });
      expect(job.status?.retries).toBe(attempts.length - 1);
      // One write took attempt 1 from the victim and assigned attempt 2: no Pending version between.
      const seen = versions.get(job.metadata.name ?? "") ?? [];
      const moved = seen.findIndex((v) => v.startsWith("Assigned:2:"));
      expect(moved, seen.join(" → ")).toBeGreaterThan(0);
      expect(seen[moved - 1], seen.join(" → ")).toMatch(/^(Assigned|Running):1:victim$/);
      expect(seen.filter((v) => v.startsWith("Pending:1:")), seen.join(" → ")).toEqual([]);
    }
    const victimAgent = await c.agents.get({ namespace: ns, name: "victim" });
    expect(victimAgent.status?.phase).toBe("Offline");
  }, 120_000);
});

describe("agent loss with no agent to take the job", () => {
  it("goes back to Pending in one write, and runs once an agent that can take it comes", async () => {
    const victim = spawnVictim("lonely", ["--capabilities", "rare"]);
    const spec = { type: "sleep", payload: { duration: "8s" }, requiredCapabilities: ["rare"], retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 2 } };
    try {
      await waitReady(c, ns, ["lonely"]);
      await createJobs(c, [jobBody(ns, "rare-0", spec)], 1);
      await waitFor("rare-0 Running on lonely", async () => (await c.jobs.get({ namespace: ns, name: "rare-0" })).status?.phase === "Running", 20_000);
    } finally {
      victim.kill("SIGKILL");
      await exited(victim);
    }
    // No other agent offers "rare": the requeue alone, back to Pending with the loss recorded.
    let job: Job | undefined;
    await waitFor(
      "rare-0 Pending again",
      async () => {
        job = await c.jobs.get({ namespace: ns, name: "rare-0" });
        return job.status?.phase === "Pending";
      },
      20_000,
      () => JSON.stringify(job?.status),
    );
    expect(job?.status).toMatchObject({ attempt: 1, retries: 1, lastError: { reason: "AgentOffline" } });
    expect(job?.status?.assignedAgent).toBeUndefined();
    expect(job?.status?.attempts).toEqual([expect.objectContaining({ attempt: 1, agent: "lonely", outcome: "Requeued", reason: "AgentOffline" })]);

    agents.push(await startAgent(kc, { name: "rare-helper", namespace: ns, maxConcurrency: 1, capabilities: ["rare"] }));
    await waitFor(
      "rare-0 Succeeded on rare-helper",
      async () => {
        job = await c.jobs.get({ namespace: ns, name: "rare-0" });
        return job.status?.phase === "Succeeded";
      },
      45_000,
      () => JSON.stringify(job?.status),
    );
    expect(job?.status?.attempts?.at(-1)).toMatchObject({ attempt: 2, agent: "rare-helper", outcome: "Succeeded" });
    const seen = versions.get("rare-0") ?? [];
    expect(seen, seen.join(" → ")).toContain("Pending:1:");
  }, 150_000);
});
