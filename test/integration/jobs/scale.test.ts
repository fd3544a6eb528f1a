// 2 000 jobs of mixed priorities across three tenant namespaces all succeed, each exactly once, on
// the real apiserver with the operator in-process and nine SDK agents; the audit trail of those
// lifecycles costs under 0.05 API writes per job, counted by the apiserver itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRIORITY_CLASSES, type Job } from "../../../src/api/index.js";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { diffRequestTotals, isWrite, scrapeRequestTotals } from "../../../hack/control-plane/index.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { clients, createJobs, jobBody, listJobs, phases, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const JOBS = 2_000;
const kc = kubeConfig();
const c = clients(kc);
let namespaces: string[] = [];
let operator: RunningOperator | undefined;
const agents: HeliosAgent[] = [];

beforeAll(async () => {
  namespaces = await Promise.all(["scale-a", "scale-b", "scale-c"].map((p) => createNamespace(p)));
  const system = await createNamespace("scale-system");
  operator = await startOperator(namespaces, system, {}, "scale-operator");
  for (const ns of namespaces) {
    for (const name of ["w1", "w2", "w3"]) agents.push(await startAgent(kc, { name, namespace: ns, maxConcurrency: 12 }));
  }
  await Promise.all(namespaces.map((ns) => waitReady(c, ns, ["w1", "w2", "w3"])));
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.drain(0)));
  await operator?.stop();
});

describe("scale", () => {
  it(`runs ${JOBS} jobs of mixed priorities and namespaces to Succeeded, each attempt once`, async () => {
    const jobs: Job[] = Array.from({ length: JOBS }, (_, i) =>
      jobBody(namespaces[i % namespaces.length] ?? "", `job-${String(i).padStart(4, "0")}`, {
        type: "echo",
        priority: PRIORITY_CLASSES[(i * 7) % PRIORITY_CLASSES.length] ?? "normal",
        payload: { message: `m${i}` },
      }),
    );
    const requestsBefore = await scrapeRequestTotals(kubeconfigPath());
    const started = Date.now();
    await createJobs(c, jobs, 24);
    const created = Date.now();
    let all: Job[] = [];
    await waitFor(
      `${JOBS} jobs Succeeded`,
      async () => {
        all = (await Promise.all(namespaces.map((ns) => listJobs(c, ns)))).flat();
        return all.length === JOBS && all.every((j) => j.status?.phase === "Succeeded");
      },
      150_000,
      () => JSON.stringify(phases(all)),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`[scale] ${JOBS} jobs: created in ${((created - started) / 1000).toFixed(1)} s, all Succeeded after ${seconds.toFixed(1)} s (${(JOBS / seconds).toFixed(0)} jobs/s)`);

    for (const job of all) {
      const attempts = job.status?.attempts ?? [];
      expect(attempts.filter((a) => a.outcome === "Succeeded")).toHaveLength(1);
      expect(new Set(attempts.map((a) => a.attempt)).size).toBe(attempts.length);
      expect(job.status?.result).toEqual({ message: job.spec.payload?.["message"] });
    }
    // Agents ran every attempt once: no (uid, attempt) twice anywhere.
    const runs = agents.flatMap((a) => a.executions.filter((e) => e.outcome !== "Dropped").map((e) => `${e.uid}/${e.attempt}`));
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs.length).toBeGreaterThanOrEqual(JOBS);

    // Stopping the operator flushes its audit buffer: every decision of these lifecycles is written.
    await operator?.stop();
    operator = undefined;
    const auditWrites = diffRequestTotals(requestsBefore, await scrapeRequestTotals(kubeconfigPath()))
      .filter((r) => r.resource === "auditlogs" && isWrite(r))
      .reduce((n, r) => n + r.count, 0);
    console.log(`[scale] audit trail: ${auditWrites} API writes for ${JOBS} jobs = ${(auditWrites / JOBS).toFixed(4)} per job`);
    expect(auditWrites).toBeGreaterThan(0);
    expect(auditWrites / JOBS).toBeLessThan(0.05);
  }, 240_000);
});
