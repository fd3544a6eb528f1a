// An operator that may not read its resources stays alive and not ready, says which request was
// refused, and becomes ready and reconciles once RBAC grants it, without a restart, if that happens
// within the cache-sync timeout (2 min; after it the operator exits, as controller-runtime's manager
// does). The informers' real sync gates /readyz (the manager test drives hasSynced by hand).
import { afterAll, describe, expect, it } from "vitest";
import { JOB_TYPE, type Job } from "../../../src/api/index.js";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import { jobBody, waitFor } from "../jobs/support.js";
import { createNamespace, impersonating, kubeConfig, kubectl, warningLogger } from "../support/cluster.js";

const stop = new AbortController();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  stop.abort();
  // In order: the operator stops before its permission goes.
  for (const cleanup of cleanups) await cleanup();
});

describe("operator readiness", () => {
  it("is alive but not ready while RBAC refuses its lists, and ready once granted", async () => {
    const [ns, system] = await Promise.all([createNamespace("readiness"), createNamespace("readiness-system")]);
    const user = `helios-readiness-${ns}`;
    const warnings: string[] = [];
    const config = resolveOperatorConfig({ namespace: [ns], operatorNamespace: system, metricsBindAddress: "0", healthProbeBindAddress: "127.0.0.1:0" }, {});
    const manager = buildOperator(config, impersonating(user), warningLogger(warnings));
    const run = manager.start(stop.signal);
    cleanups.push(() => run.catch(() => undefined));
    const port = (await manager.serving()).health?.port;
    const probe = async (path: string): Promise<number | undefined> => (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.status;

    // The refusal is logged with the apiserver's reason, and the process keeps serving probes.
    const refusedJobList = (line: string): boolean => {
      const { msg, err } = JSON.parse(line) as { msg?: string; err?: { reason?: string; message?: string } };
      return msg === "watch failed; retrying" && err?.reason === "Forbidden" && (err.message ?? "").includes(`User "${user}" cannot list resource "jobs"`);
    };
    await waitFor("a warning about the refused list of jobs", () => warnings.some(refusedJobList), 30_000);
    expect(await probe("/healthz")).toBe(200);
    expect(await probe("/readyz")).toBe(500);

    const binding = `${user}-admin`;
    const granted = await kubectl(["create", "clusterrolebinding", binding, "--clusterrole=cluster-admin", `--user=${user}`]);
    expect(granted.code, granted.stderr).toBe(0);
    cleanups.push(() => kubectl(["delete", "clusterrolebinding", binding, "--ignore-not-found"]));
    // The informers' capped backoff (30 s at most) brings them back on their own.
    await waitFor("/readyz 200", async () => (await probe("/readyz")) === 200, 90_000);

    // The controllers run: with no agent, a new Job is told why it waits.
    const jobs = new ResourceClient<Job>(new Transport(kubeConfig()), JOB_TYPE);
    await jobs.create(jobBody(ns, "after-grant", { type: "echo", payload: { message: "hi" } }));
    await waitFor(
      "the Job's Scheduled=False condition",
      async () => (await jobs.get({ namespace: ns, name: "after-grant" })).status?.conditions?.some((c) => c.type === "Scheduled" && c.status === "False") === true,
      30_000,
    );
  }, 180_000);
});
