// Hostile timers: Jobs whose deadlines lie past Node's 2^31-1 ms timer limit (a 30-day TTL and queue
// deadline, notBefore in 2099) leave the operator idle: its reconcile rate stays flat, its RSS too, and
// no TimeoutOverflowWarning reaches stderr.
import type { ChildProcess } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { buildCli } from "./support-build.js";
import { clients, createJobs, exited, freePort, jobBody, listJobs, phases, spawnHelios, waitFor } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
const THIRTY_DAYS_S = 2_592_000;
const PER_KIND = 34;
/** How long the reconcile rate is watched once every Job has settled. */
const WINDOW_MS = 10_000;

let ns: string;
let operator: ChildProcess | undefined;
let stderr = "";
let metricsPort = 0;

/** Sum of every sample of `name` (all label sets) in a Prometheus text page. */
function total(text: string, name: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function scrape(): Promise<{ reconciles: number; rssBytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return { reconciles: total(text, "controller_runtime_reconcile_total"), rssBytes: total(text, "process_resident_memory_bytes") };
}

beforeAll(async () => {
  buildCli();
  const [tenant, system] = await Promise.all([createNamespace("hostile-timers"), createNamespace("hostile-timers-system")]);
  ns = tenant;
  let healthPort = 0;
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
    ],
    "hostile-timers-operator",
  );
  operator.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  await waitFor("operator ready", async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status === 200, 30_000);
}, 300_000);

afterAll(async () => {
  if (operator !== undefined && operator.exitCode === null) {
    operator.kill("SIGKILL");
    await exited(operator);
  }
});

describe("deadlines past the platform timer limit", () => {
  it("leave the operator idle: flat reconcile rate and RSS, no TimeoutOverflowWarning", async () => {
    // No agent serves the namespace, so every Job waits on its far deadline.
    const jobs = Array.from({ length: PER_KIND }, (_, i) => [
      jobBody(ns, `not-before-${i}`, { type: "echo", notBefore: "2099-01-01T00:00:00Z" }),
      jobBody(ns, `max-queue-${i}`, { type: "echo", maxQueueSeconds: THIRTY_DAYS_S }),
      jobBody(ns, `ttl-${i}`, { type: "echo", cancel: true, ttlSecondsAfterFinished: THIRTY_DAYS_S }),
    ]).flat();
    await createJobs(c, jobs);
    await waitFor(
      "the TTL jobs Cancelled and the others Pending",
      async () => {
        const counts = phases(await listJobs(c, ns));
        return counts["Cancelled"] === PER_KIND && counts["Pending"] === 2 * PER_KIND;
      },
      60_000,
      async () => JSON.stringify(phases(await listJobs(c, ns))),
    );
    const before = await scrape();
    await delay(WINDOW_MS); // a measuring window, not a synchronisation
    const after = await scrape();

    const reconciles = after.reconciles - before.reconciles;
    // A handful of reconciles for late watch events at most; the overflow made thousands per second.
    expect(reconciles, `reconciles in ${WINDOW_MS} ms`).toBeLessThan(50);
    expect(after.rssBytes - before.rssBytes, "RSS growth in bytes").toBeLessThan(64 * 1024 * 1024);
    expect(stderr).not.toContain("TimeoutOverflowWarning");
    expect(operator?.exitCode).toBeNull();
  });
});
