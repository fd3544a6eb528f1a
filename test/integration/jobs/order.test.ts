// The order of assignment respects priority classes and aging: with one slot, a long-waiting low job
// goes before fresh critical ones (aging), then critical, high, normal, low, oldest first within a class.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCondition, JOB_CONDITIONS, JOB_TYPE, PRIORITY_CLASSES, type Job } from "../../../src/api/index.js";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { Informer } from "../../../src/runtime/cache/index.js";
import { isApiError, ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { clients, createJobs, jobBody, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;
const stopWatching = new AbortController();

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("jobs-order"), createNamespace("jobs-order-system")]);
  ns = tenant;
  operator = await startOperator([ns], system, {}, "order-operator");
}, 60_000);

afterAll(async () => {
  stopWatching.abort();
  await agent?.drain(0);
  await operator?.stop();
});

/** Writes `status.queuedAt` as if the job had been waiting `minutes` (re-reading on conflict with the dispatcher). */
async function ageJob(name: string, minutes: number): Promise<void> {
  for (;;) {
    const job = await c.jobs.get({ namespace: ns, name });
    const queuedAt = new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    try {
      await c.jobs.replaceStatus({ ...job, status: { ...job.status, phase: "Pending", queuedAt } });
      return;
    } catch (err) {
      if (!isApiError(err, "Conflict")) throw err;
    }
  }
}

describe("assignment order", () => {
  it("assigns by effective priority: aging first, then class, then age within a class", async () => {
    // No agent yet: everything waits (Blocked), so the whole backlog is ranked at once.
    // aged-low is created and aged first: forty minutes of waiting outranks the critical class
    // (30 points) at one point per minute. The operator sees a kind's changes in order, so once it
    // has seen the jobs created after the aging (below: each is Pending), it has seen the aging too.
    const agedLow = jobBody(ns, "aged-low", { type: "echo", priority: "low" });
    await createJobs(c, [agedLow], 1);
    await ageJob("aged-low", 40);
    const jobs: Job[] = [agedLow];
    const rest: Job[] = [];
    for (let i = 0; i < 3; i++) {
      for (const priority of [...PRIORITY_CLASSES].reverse()) {
        rest.push(jobBody(ns, `${priority}-${i}`, { type: "echo", priority }));
      }
    }
    await createJobs(c, rest, 1);
    jobs.push(...rest);

    const order: string[] = [];
    const informer = new Informer<Job>(new ResourceClient<Job>(new Transport(kc), JOB_TYPE), { namespace: ns });
    informer.addEventHandler({
      // The first assignment of each job: a job requeued after a slow heartbeat on a loaded machine
      // (agent loss) keeps its rank and is assigned again at once, which is not a second place in line.
      onUpdate: (old, job) => {
        const name = job.metadata.name ?? "";
        if (old.status?.phase !== "Assigned" && job.status?.phase === "Assigned" && !order.includes(name)) order.push(name);
      },
    });
    void informer.start(stopWatching.signal);
    await informer.waitForSync();
    // The Scheduled condition is the operator's Blocked write on each job: it has seen every creation (so the aging).
    const seen = (j: Job): boolean => j.status?.phase === "Pending" && findCondition(j.status.conditions, JOB_CONDITIONS.scheduled) !== undefined;
    await waitFor("backlog Pending", () => informer.store.list().length === jobs.length && informer.store.list().every(seen), 20_000);

    agent = await startAgent(kc, { name: "solo", namespace: ns, maxConcurrency: 1 });
    await waitReady(c, ns, ["solo"]);
    await waitFor("all assigned", () => order.length === jobs.length, 60_000, () => order.join(","));

    const expected = ["aged-low", ...["critical", "high", "normal", "low"].flatMap((p) => [0, 1, 2].map((i) => `${p}-${i}`))];
    const attempts = informer.store.list().map((j) => `${j.metadata.name ?? ""}@${j.status?.attempt ?? 0}:${j.status?.queuedAt ?? ""}`);
    expect(order, `attempts and queue times: ${attempts.sort().join(", ")}`).toEqual(expected);
  }, 120_000);
});
