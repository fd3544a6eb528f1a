// Two operator instances with leader election OFF race on the same jobs: the resourceVersion is the
// lock, so no attempt is assigned twice, no attempt runs twice, and every job ends exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_LOG_TYPE, type AuditLog, type Job } from "../../../src/api/index.js";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { clients, createJobs, jobBody, listJobs, metricTotal, phases, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const JOBS = 400;
const kc = kubeConfig();
const c = clients(kc);
let ns: string;
const operators: RunningOperator[] = [];
const agents: HeliosAgent[] = [];

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("jobs-race"), createNamespace("jobs-race-system")]);
  ns = tenant;
  operators.push(await startOperator([ns], system, {}, "race-operator-1"));
  operators.push(await startOperator([ns], system, {}, "race-operator-2"));
  for (const name of ["r1", "r2", "r3", "r4"]) agents.push(await startAgent(kc, { name, namespace: ns, maxConcurrency: 4 }));
  await waitReady(c, ns, ["r1", "r2", "r3", "r4"]);
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.drain(0)));
  await Promise.all(operators.map((o) => o.stop()));
});

describe("two operators without leader election", () => {
  it("assign each attempt once and finish each job once", async () => {
    // Every 20th job fails its first attempt, so recovery (also racing) requeues and the dispatchers race again.
    const jobs: Job[] = Array.from({ length: JOBS }, (_, i) =>
      i % 20 === 0
        ? jobBody(ns, `race-${i}`, { type: "fail", payload: { times: 1 }, retry: { maxRetries: 2, backoffSeconds: 1, maxBackoffSeconds: 1 } })
        : jobBody(ns, `race-${i}`, { type: "echo", payload: { message: String(i) } }),
    );
    await createJobs(c, jobs, 16);
    let all: Job[] = [];
    await waitFor(
      "all Succeeded",
      async () => {
        all = await listJobs(c, ns);
        return all.length === JOBS && all.every((j) => j.status?.phase === "Succeeded");
      },
      90_000,
      () => JSON.stringify(phases(all)),
    );

    for (const job of all) {
      const attempts = job.status?.attempts ?? [];
      const numbers = attempts.map((a) => a.attempt);
      expect(new Set(numbers).size).toBe(numbers.length);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(attempts.filter((a) => a.outcome === "Succeeded")).toHaveLength(1);
      expect(job.status?.attempt).toBe(numbers.at(-1));
      const expectedAttempts = job.spec.type === "fail" ? 2 : 1;
      expect(attempts).toHaveLength(expectedAttempts);
    }

    // No attempt ran twice on any agent, and each ran on the agent its record names.
    const runs = agents.flatMap((a) => a.executions.filter((e) => e.outcome !== "Dropped").map((e) => ({ key: `${e.uid}/${e.attempt}`, agent: a.name })));
    expect(new Set(runs.map((r) => r.key)).size).toBe(runs.length);
    const recorded = new Map<string, string>(all.flatMap((j) => (j.status?.attempts ?? []).map((a) => [`${j.metadata.uid}/${a.attempt}`, a.agent] as const)));
    for (const run of runs) expect(recorded.get(run.key)).toBe(run.agent);

    // Both really raced: each wrote assignments, and some of their writes lost with 409.
    const byOperator = await Promise.all(operators.map((o) => metricTotal(o.registry, "helios_jobs_assigned_total")));
    expect(byOperator.every((n) => n > 0), `assignments per operator: ${byOperator.join(", ")}`).toBe(true);
    expect(byOperator.reduce((a, b) => a + b, 0)).toBe(all.reduce((n, j) => n + (j.status?.attempts?.length ?? 0), 0));

    // The audit trail of both operators: exactly one `assigned` entry per (job, attempt).
    await Promise.all(operators.splice(0).map((o) => o.stop()));
    const chunks = (await new ResourceClient<AuditLog>(new Transport(kc), AUDIT_LOG_TYPE).listAll({ namespace: ns })).items;
    const assigned = chunks.flatMap((chunk) => chunk.spec.entries.filter((e) => e.action === "assigned" && e.kind === "Job").map((e) => `${e.uid}/${e.attempt}`));
    expect(new Set(assigned).size).toBe(assigned.length);
    expect(assigned.length).toBe(all.reduce((n, j) => n + (j.status?.attempts?.length ?? 0), 0));
  }, 180_000);
});
