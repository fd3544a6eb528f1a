// One job's lifecycle on the real apiserver, with the operator in-process and SDK agents: success,
// retries with growing backoff then RetriesExhausted, timeouts aborted and retried, queue expiry,
// cancellation from Pending, Assigned and Running, TTL deletion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCondition, type Job } from "../../../src/api/index.js";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { isApiError } from "../../../src/runtime/client/index.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { clients, jobBody, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;
let operator: RunningOperator | undefined;
const agents: HeliosAgent[] = [];

const get = (name: string): Promise<Job> => c.jobs.get({ namespace: ns, name });
const phaseOf = async (name: string): Promise<string | undefined> => (await get(name)).status?.phase;
const statusDump = async (name: string): Promise<string> => JSON.stringify((await get(name)).status);

async function waitPhase(name: string, phase: string, timeoutMs = 30_000): Promise<Job> {
  await waitFor(`${name} ${phase}`, async () => (await phaseOf(name)) === phase, timeoutMs, () => statusDump(name));
  return get(name);
}

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("jobs-life"), createNamespace("jobs-life-system")]);
  ns = tenant;
  operator = await startOperator([ns], system, { "job-ack-timeout": "20s" }, "lifecycle-operator");
  // Failing jobs run on their own agent: agent-health's circuit breaker quarantines an agent whose
  // attempts keep failing, which must not starve the other tests.
  agents.push(await startAgent(kc, { name: "worker", namespace: ns, maxConcurrency: 4, ackDelayMs: 300 }));
  agents.push(await startAgent(kc, { name: "failer", namespace: ns, maxConcurrency: 2, queues: ["failing"] }));
  agents.push(await startAgent(kc, { name: "sloth", namespace: ns, maxConcurrency: 2, queues: ["slow"] }));
  await waitReady(c, ns, ["worker", "failer", "sloth"]);
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.drain(0)));
  await operator?.stop();
});

describe("job lifecycle", () => {
  it("runs an echo job to Succeeded with its result, Complete=True and one attempt", async () => {
    await c.jobs.create(jobBody(ns, "hello", { type: "echo", payload: { message: "hi" } }));
    const job = await waitPhase("hello", "Succeeded");
    expect(job.status?.result).toEqual({ message: "hi" });
    expect(job.status?.attempts).toEqual([expect.objectContaining({ attempt: 1, agent: "worker", outcome: "Succeeded" })]);
    expect(findCondition(job.status?.conditions, "Complete")?.status).toBe("True");
    expect(findCondition(job.status?.conditions, "Scheduled")?.status).toBe("True");
    const wait = await kubectl(["wait", "--for=condition=Complete", "hjob/hello", "-n", ns, "--timeout=5s"]);
    expect(wait.code).toBe(0);
  });

  it("retries a failing job with growing backoff, then fails with RetriesExhausted", async () => {
    const seen = new Map<number, { queuedAt: string; nextAttemptAt: string }>();
    await c.jobs.create(jobBody(ns, "flaky", { type: "fail", queue: "failing", payload: { times: 10 }, retry: { maxRetries: 3, backoffSeconds: 2, maxBackoffSeconds: 60 } }));
    await waitFor(
      "flaky Failed",
      async () => {
        const s = (await get("flaky")).status;
        if (s?.phase === "Pending" && s.nextAttemptAt !== undefined && s.queuedAt !== undefined && s.retries !== undefined) {
          seen.set(s.retries, { queuedAt: s.queuedAt, nextAttemptAt: s.nextAttemptAt });
        }
        return s?.phase === "Failed";
      },
      60_000,
      () => statusDump("flaky"),
    );
    const job = await get("flaky");
    expect(job.status).toMatchObject({ phase: "Failed", retries: 3, lastError: { reason: "RetriesExhausted" } });
    expect(findCondition(job.status?.conditions, "Failed")).toMatchObject({ status: "True", reason: "RetriesExhausted" });
    expect(job.status?.attempts?.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "Failed"],
      [2, "Failed"],
      [3, "Failed"],
      [4, "Failed"],
    ]);
    // Each observed backoff lies in [ceiling/2, ceiling] with ceiling = 2 s * 2^(retry-1) (times are whole seconds: ±1 s).
    expect(seen.size).toBeGreaterThanOrEqual(2);
    for (const [retry, { queuedAt, nextAttemptAt }] of seen) {
      const delay = (Date.parse(nextAttemptAt) - Date.parse(queuedAt)) / 1000;
      const ceiling = 2 * 2 ** (retry - 1);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2 - 1);
      expect(delay).toBeLessThanOrEqual(ceiling + 1);
    }
    // The attempts really were spaced out: the last retry waited at least the minimum 2 s after the third attempt ended.
    const a3 = Date.parse(job.status?.attempts?.[2]?.finishedAt ?? "");
    const a4 = Date.parse(job.status?.attempts?.[3]?.assignedAt ?? "");
    expect(a4 - a3).toBeGreaterThanOrEqual(3_000);
  });

  it("aborts an attempt that runs past timeoutSeconds and retries it", async () => {
    await c.jobs.create(jobBody(ns, "slow", { type: "sleep", queue: "slow", payload: { duration: "30s" }, timeoutSeconds: 2, retry: { maxRetries: 1, backoffSeconds: 1, maxBackoffSeconds: 1 } }));
    const started = Date.now();
    const job = await waitPhase("slow", "Failed", 30_000);
    expect(Date.now() - started).toBeLessThan(20_000); // 30 s handlers were aborted, not waited for
    expect(job.status?.attempts?.map((a) => [a.attempt, a.outcome, a.reason])).toEqual([
      [1, "Failed", "Timeout"],
      [2, "Failed", "Timeout"],
    ]);
  });

  it("expires a job no agent can take within maxQueueSeconds", async () => {
    await c.jobs.create(jobBody(ns, "orphan", { type: "echo", queue: "nobody-serves-this", maxQueueSeconds: 2 }));
    const pending = await waitPhase("orphan", "Pending", 10_000);
    expect(findCondition(pending.status?.conditions, "Blocked")).toMatchObject({ status: "True", reason: "NoAgentForQueue" });
    const job = await waitPhase("orphan", "Expired", 15_000);
    expect(findCondition(job.status?.conditions, "Failed")).toMatchObject({ status: "True", reason: "Expired" });
    expect(job.status?.attempts ?? []).toEqual([]);
  });

  it("cancels a Pending job", async () => {
    await c.jobs.create(jobBody(ns, "cancel-pending", { type: "echo", queue: "nobody-serves-this" }));
    await waitPhase("cancel-pending", "Pending", 10_000);
    await c.jobs.mergePatch({ namespace: ns, name: "cancel-pending" }, { spec: { cancel: true } });
    const job = await waitPhase("cancel-pending", "Cancelled", 10_000);
    expect(findCondition(job.status?.conditions, "Failed")).toMatchObject({ status: "True", reason: "Cancelled" });
  });

  it("cancels an Assigned job (its handler is aborted before the agent acks)", async () => {
    const lazy = await startAgent(kc, { name: "lazy", namespace: ns, queues: ["lazy"], ackDelayMs: 60_000 });
    agents.push(lazy);
    await waitReady(c, ns, ["lazy"]);
    await c.jobs.create(jobBody(ns, "cancel-assigned", { type: "sleep", queue: "lazy", payload: { duration: "60s" } }));
    await waitPhase("cancel-assigned", "Assigned", 10_000);
    await waitFor("handler started", () => lazy.stats.running === 1, 10_000);
    await c.jobs.mergePatch({ namespace: ns, name: "cancel-assigned" }, { spec: { cancel: true } });
    const job = await waitPhase("cancel-assigned", "Cancelled", 10_000);
    expect(job.status?.attempts?.[0]).toMatchObject({ attempt: 1, agent: "lazy", outcome: "Cancelled" });
    expect(job.status?.assignedAgent).toBeUndefined();
    await waitFor("handler aborted", () => lazy.stats.running === 0, 10_000);
  });

  it("cancels a Running job and aborts its handler", async () => {
    await c.jobs.create(jobBody(ns, "cancel-running", { type: "sleep", payload: { duration: "60s" } }));
    await waitPhase("cancel-running", "Running", 10_000);
    await c.jobs.mergePatch({ namespace: ns, name: "cancel-running" }, { spec: { cancel: true } });
    const job = await waitPhase("cancel-running", "Cancelled", 10_000);
    expect(job.status?.attempts?.[0]).toMatchObject({ outcome: "Cancelled" });
    const worker = agents[0];
    await waitFor("handler aborted", () => worker?.executions.some((e) => e.name === "cancel-running") ?? false, 10_000);
    expect(worker?.executions.find((e) => e.name === "cancel-running")).toMatchObject({ outcome: "Dropped", reason: "Cancelled" });
  });

  it("deletes a finished job after ttlSecondsAfterFinished", async () => {
    await c.jobs.create(jobBody(ns, "ephemeral", { type: "echo", ttlSecondsAfterFinished: 1 }));
    await waitFor(
      "ephemeral deleted",
      async () => {
        try {
          await get("ephemeral");
          return false;
        } catch (err) {
          if (isApiError(err, "NotFound")) return true;
          throw err;
        }
      },
      20_000,
    );
  });
});
