// Recovery on the real apiserver: an agent killed mid-run (SIGKILL, no goodbye) goes Offline and its
// jobs finish on another agent, each lost attempt recorded as Requeued with AgentOffline.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import type { Job } from "../../../src/api/index.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { buildCli } from "./support-build.js";
import { clients, createJobs, exited, jobBody, listJobs, phases, spawnHelios, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;
let operator: RunningOperator | undefined;
const agents: HeliosAgent[] = [];

beforeAll(async () => {
  buildCli();
  const [tenant, system] = await Promise.all([createNamespace("jobs-kill"), createNamespace("jobs-kill-system")]);
  ns = tenant;
  operator = await startOperator([ns], system, { "agent-stale-timeout": "4s" }, "recovery-operator");
}, 300_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.drain(0)));
  await operator?.stop();
});

describe("agent loss", () => {
  it("finishes the jobs of a SIGKILLed agent on another agent", async () => {
    const victim = spawnHelios(
      ["agent", "--name", "victim", "--namespace", ns, "--kubeconfig", kubeconfigPath(), "--max-concurrency", "3", "--lease-duration", "2s", "--ack-delay", "200ms", "--log-level", "warn"],
      "recovery-victim",
    );
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
    }
    const victimAgent = await c.agents.get({ namespace: ns, name: "victim" });
    expect(victimAgent.status?.phase).toBe("Offline");
  }, 120_000);
});
