// Bounded history on the real apiserver: `--finished-job-ttl` deletes finished Jobs that set no
// ttlSecondsAfterFinished (audited, counted from finishedAt), a Job's own TTL wins, and 0 keeps them;
// helios_jobs counts the finished Jobs each namespace retains.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import type { AuditEntry, Job } from "../../../src/api/index.js";
import { isApiError } from "../../../src/runtime/client/index.js";
import type { Registry } from "../../../src/runtime/metrics/index.js";
import { auditClient } from "../audit/support.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { clients, jobBody, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
const audit = auditClient(kc);

/** Waits until `name` is Succeeded and returns it (its finishedAt is what the TTL counts from). */
async function succeeded(namespace: string, name: string): Promise<Job> {
  let job: Job | undefined;
  await waitFor(
    `${name} Succeeded`,
    async () => {
      job = await c.jobs.get({ namespace, name });
      return job.status?.phase === "Succeeded";
    },
    20_000,
    () => JSON.stringify(job?.status),
  );
  if (job === undefined) throw new Error("unreachable");
  return job;
}

async function exists(namespace: string, name: string): Promise<boolean> {
  try {
    await c.jobs.get({ namespace, name });
    return true;
  } catch (err) {
    if (isApiError(err, "NotFound")) return false;
    throw err;
  }
}

/** Waits until `name` is gone; returns when that was first seen. */
async function deletedAt(namespace: string, name: string, timeoutMs: number): Promise<number> {
  await waitFor(`${name} deleted`, async () => !(await exists(namespace, name)), timeoutMs);
  return Date.now();
}

async function auditEntries(namespace: string): Promise<AuditEntry[]> {
  return (await audit.listAll({ namespace })).items.flatMap((chunk) => chunk.spec.entries);
}

/** helios_jobs summed over queues, for one namespace and phase. */
async function retained(registry: Registry, namespace: string, phase: string): Promise<number> {
  const metric = registry.getSingleMetric("helios_jobs");
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.filter((v) => v.labels["namespace"] === namespace && v.labels["phase"] === phase).reduce((n, v) => n + v.value, 0);
}

describe("--finished-job-ttl 3s", () => {
  let ns: string;
  let operator: RunningOperator | undefined;
  let agent: HeliosAgent | undefined;

  beforeAll(async () => {
    const [tenant, system] = await Promise.all([createNamespace("ttl-default"), createNamespace("ttl-default-system")]);
    ns = tenant;
    operator = await startOperator([ns], system, { "finished-job-ttl": "3s" }, "finished-ttl-operator");
    agent = await startAgent(kc, { name: "worker", namespace: ns, maxConcurrency: 2 });
    await waitReady(c, ns, ["worker"]);
  }, 120_000);

  afterAll(async () => {
    await agent?.drain(0);
    await operator?.stop();
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("deletes a finished job without a TTL 3 s after finishedAt, with its audit entry; a job's own TTL follows its own", async () => {
    await c.jobs.create(jobBody(ns, "no-ttl", { type: "echo", payload: { message: "gone in 3s" } }));
    await c.jobs.create(jobBody(ns, "own-ttl", { type: "echo", payload: { message: "gone in 10s" }, ttlSecondsAfterFinished: 10 }));
    const [noTtl, ownTtl] = await Promise.all([succeeded(ns, "no-ttl"), succeeded(ns, "own-ttl")]);
    const finished = (j: Job): number => Date.parse(j.status?.finishedAt ?? "");

    // finishedAt is truncated to the second, so a deletion seen earlier than it plus the TTL is wrong.
    const noTtlGone = await deletedAt(ns, "no-ttl", 30_000);
    expect(noTtlGone).toBeGreaterThanOrEqual(finished(noTtl) + 3_000);
    expect(noTtlGone).toBeLessThan(finished(noTtl) + 20_000);
    // Its own 10 s, not the operator's 3 s, decides when it goes.
    const ownTtlGone = await deletedAt(ns, "own-ttl", 30_000);
    expect(ownTtlGone).toBeGreaterThanOrEqual(finished(ownTtl) + 10_000);

    let deletions: AuditEntry[] = [];
    await waitFor(
      "two deleted audit entries",
      async () => {
        deletions = (await auditEntries(ns)).filter((e) => e.action === "deleted");
        return deletions.length === 2;
      },
      20_000,
      () => JSON.stringify(deletions),
    );
    const byName = new Map(deletions.map((e) => [e.name, e]));
    expect(byName.get("no-ttl")).toMatchObject({
      kind: "Job",
      uid: noTtl.metadata.uid,
      actor: "job-recovery",
      reason: "TTLExpired",
      message: "deleted 3s after it finished (--finished-job-ttl)",
    });
    expect(byName.get("own-ttl")).toMatchObject({ uid: ownTtl.metadata.uid, reason: "TTLExpired", message: "deleted 10s after it finished (ttlSecondsAfterFinished)" });

    const registry = operator?.registry;
    if (registry === undefined) throw new Error("operator not started");
    await waitFor("no finished job retained", async () => (await retained(registry, ns, "Succeeded")) === 0, 10_000);
  });
});

describe("--finished-job-ttl 0", () => {
  let ns: string;
  let operator: RunningOperator | undefined;
  let agent: HeliosAgent | undefined;

  beforeAll(async () => {
    const [tenant, system] = await Promise.all([createNamespace("ttl-forever"), createNamespace("ttl-forever-system")]);
    ns = tenant;
    operator = await startOperator([ns], system, { "finished-job-ttl": "0" }, "finished-ttl-forever-operator");
    agent = await startAgent(kc, { name: "worker", namespace: ns, maxConcurrency: 2 });
    await waitReady(c, ns, ["worker"]);
  }, 120_000);

  afterAll(async () => {
    await agent?.drain(0);
    await operator?.stop();
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("keeps a finished job without a TTL while a job finished after it with its own TTL is deleted, and counts it", async () => {
    await c.jobs.create(jobBody(ns, "kept", { type: "echo", payload: { message: "kept" } }));
    const kept = await succeeded(ns, "kept");
    // The bound of the check: a job finished no earlier than `kept`, deleted by its own 3 s TTL.
    await c.jobs.create(jobBody(ns, "witness", { type: "echo", payload: { message: "witness" }, ttlSecondsAfterFinished: 3 }));
    const witness = await succeeded(ns, "witness");
    expect(Date.parse(witness.status?.finishedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(kept.status?.finishedAt ?? ""));
    await deletedAt(ns, "witness", 30_000);

    expect(await exists(ns, "kept")).toBe(true);
    const registry = operator?.registry;
    if (registry === undefined) throw new Error("operator not started");
    await waitFor("helios_jobs shows the one retained job", async () => (await retained(registry, ns, "Succeeded")) === 1, 10_000);
    await waitFor("the witness's deletion audited", async () => (await auditEntries(ns)).some((e) => e.action === "deleted" && e.name === "witness"), 20_000);
    expect((await auditEntries(ns)).filter((e) => e.action === "deleted").map((e) => e.name)).toEqual(["witness"]);
  });
});
