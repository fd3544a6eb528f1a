// Scenario leaseChurn: what Leases that are not agents' cost the operator. `helios operator` watches
// every namespace (the chart's default) and is measured twice: idle on an empty cluster, then next
// to 2 000 foreign Leases (node-heartbeat-like ones in a namespace of their own and other
// applications' leader Leases) renewed every 10 s for 30 s, as kubelets renew node Leases (QUICK: 400
// renewed once in a 5 s window). Figures per window: the operator's CPU ms per second (/proc) and
// resident set; after the churn, how many Leases it caches (helios_informer_cache_objects) and how
// often agent-health ran.
import { setTimeout as delay } from "node:timers/promises";
import { LEASES, ResourceClient, type Lease } from "../../src/runtime/client/index.js";
import { meterCpu } from "../cpu.js";
import { ForeignLeases } from "../lease-churn.js";
import { OperatorProcess, procMemory } from "../operator-process.js";
import type { LeaseChurnResult, LeaseChurnWindow } from "../report.js";
import { sampleSum, type PromSample } from "../stats.js";
import type { BenchContext } from "./context.js";

const WRITERS = 8;
const MB = 1024 * 1024;

/** Samples the operator's resident set every 500 ms until the returned function is called. */
function sampleRss(pid: number): () => Promise<{ rssMb: number | null; peakRssMb: number | null }> {
  let peak = Number.NaN;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const mem = await procMemory(pid);
      if (mem !== undefined && !(mem.rss <= peak)) peak = mem.rss;
      await delay(500);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const end = await procMemory(pid);
    const top = Math.max(peak, end?.rss ?? Number.NaN);
    return { rssMb: end === undefined ? null : end.rss / MB, peakRssMb: Number.isNaN(top) ? null : top / MB };
  };
}

/** CPU ms per second and resident set of the operator while `during` runs. */
async function measureWindow(operator: OperatorProcess, during: () => Promise<unknown>): Promise<LeaseChurnWindow> {
  const cpu = await meterCpu({ operator: operator.pid });
  const rss = sampleRss(operator.pid);
  const startedAt = Date.now();
  await during();
  const seconds = (Date.now() - startedAt) / 1000;
  const used = (await cpu())["operator"] ?? Number.NaN;
  return { seconds, cpuMsPerSecond: Number.isFinite(used) ? used / seconds : null, ...(await rss()) };
}

const present = (samples: readonly PromSample[], name: string): boolean => samples.some((s) => s.name === name);

export async function runLeaseChurn(ctx: BenchContext): Promise<LeaseChurnResult> {
  const scenario = "leaseChurn";
  const { cluster, progress } = ctx;
  const count = ctx.quick ? 400 : 2_000;
  const periodMs = ctx.quick ? 5_000 : 10_000;
  const rounds = ctx.quick ? 1 : 3;
  const idleMs = ctx.quick ? 3_000 : 20_000;
  const [nodeNs, appNs] = await Promise.all([cluster.createNamespace("bench-node-lease"), cluster.createNamespace("bench-apps")]);
  progress.phase(scenario, "starting helios operator watching every namespace");
  const operator = await OperatorProcess.start({
    kubeconfigPath: cluster.plane.kubeconfigPath,
    namespaces: [],
    operatorNamespace: ctx.operatorNamespace,
    logDir: ctx.logDir,
    name: scenario,
    nodeOptions: ctx.operatorNodeOptions,
  });
  let foreign: ForeignLeases | undefined;
  try {
    await operator.waitReady(60_000);
    await operator.waitSynced(60_000);
    // Start-up work (compilation, the first collections) settles before anything is measured.
    await delay(ctx.quick ? 2_000 : 5_000);
    progress.phase(scenario, `idle for ${idleMs / 1000} s`);
    const idle = await measureWindow(operator, () => delay(idleMs));

    progress.phase(scenario, `creating ${count} foreign Leases`);
    const nodes = Math.round(count * 0.75);
    foreign = await ForeignLeases.create(
      new ResourceClient<Lease>(cluster.transport, LEASES),
      [
        { namespace: nodeNs, count: nodes, prefix: "node" },
        { namespace: appNs, count: count - nodes, prefix: "app-leader", labels: { "app.kubernetes.io/name": "another-app" } },
      ],
      WRITERS,
    );
    const before = await operator.metrics();
    progress.phase(scenario, `renewing them every ${periodMs / 1000} s for ${(rounds * periodMs) / 1000} s`);
    let renewals = 0;
    const churn = await measureWindow(operator, async () => {
      renewals = (await (foreign as ForeignLeases).churn(periodMs, rounds)).renewals;
    });
    const after = await operator.metrics();
    const reconciles = (samples: readonly PromSample[]) => sampleSum(samples, "controller_runtime_reconcile_total", { controller: "agent-health" });
    return {
      foreignLeases: count,
      renewPeriodSeconds: periodMs / 1000,
      renewalsPerSecond: renewals / churn.seconds,
      idle,
      churn,
      cachedLeases: present(after, "helios_informer_cache_objects") ? sampleSum(after, "helios_informer_cache_objects", { informer: "leases" }) : null,
      agentHealthReconciles: reconciles(after) - reconciles(before),
    };
  } finally {
    await operator.stop();
    await foreign?.delete();
  }
}
