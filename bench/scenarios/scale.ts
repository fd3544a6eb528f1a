// Scenario 3, scale: many Job objects (most finished, some pending) already in the cluster when the
// operator starts: its cache sync time, memory, and dispatch cycle time over the pending ones.
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { succeededStatus } from "../../src/agent/index.js";
import { JOB_TYPE, type Agent, type Job } from "../../src/api/index.js";
import { JOB_INDEX } from "../../src/controllers/index.js";
import { JOB_INDEXERS } from "../../src/controllers/shared/index.js";
import { assignedStatus, buildSnapshot, schedulingFlags } from "../../src/controllers/queue-priority/index.js";
import { NEUTRAL_CONTROL_FLAGS } from "../../src/api/index.js";
import { Informer } from "../../src/runtime/cache/index.js";
import { ResourceClient } from "../../src/runtime/client/index.js";
import { planDispatch } from "../../src/scheduling/index.js";
import { diffRequestTotals, isWrite } from "../../hack/control-plane/index.js";
import { waitFor } from "../job-timeline.js";
import { benchJob, createJobs } from "../jobs.js";
import { OperatorProcess, procMemory } from "../operator-process.js";
import type { ScaleResult } from "../report.js";
import { histogramOf, histogramQuantile, summarize, type Histogram } from "../stats.js";
import { secondsBetween, type BenchContext } from "./context.js";
import { jobName } from "./tenant.js";

const MB = 1024 * 1024;
const CYCLE_METRIC = "helios_dispatch_cycle_seconds";
/** Dispatch is settled when no cycle ran for this long (its idle recheck is 30 s). */
const SETTLE_MS = 3_000;

/** A Ready agent for the plan-on-cache measurement (not in the cluster: no one runs its jobs). */
function syntheticAgent(namespace: string, i: number): Agent {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Agent",
    metadata: { name: `synthetic-${i}`, namespace, labels: { zone: ["a", "b", "c"][i % 3] ?? "a" } },
    spec: { queues: ["default"], maxConcurrency: 10 },
    status: { phase: "Ready" },
  };
}

export async function runScale(ctx: BenchContext): Promise<ScaleResult> {
  const scenario = "scale";
  const total = ctx.quick ? 2_000 : 50_000;
  const pending = ctx.quick ? 1_000 : 10_000;
  const finished = total - pending;
  const { cluster, progress } = ctx;
  const namespace = await cluster.createNamespace("bench-scale");
  const jobs = new ResourceClient<Job>(cluster.transport, JOB_TYPE);

  // Finished jobs carry the status Helios would have written (assign, then succeed), so objects have their real size.
  progress.phase(scenario, `creating ${finished} finished and ${pending} pending jobs (no operator watching yet)`);
  let made = 0;
  const stopCount = progress.count(scenario, "jobs created", total, () => made, 5_000);
  const started = Date.now();
  try {
    await createJobs(jobs, finished, (i) => benchJob(namespace, jobName("done", i), "noop"), 64, async (job) => {
      const now = Date.now();
      const agent = `agent-${made % 50}`;
      const assigned = { ...job, status: assignedStatus(job, agent, now - 50) };
      await jobs.replaceStatus({ ...assigned, status: succeededStatus(assigned, { uid: job.metadata.uid ?? "", agent, attempt: 1 }, undefined, new Date(now), undefined) });
      made++;
    });
    await createJobs(jobs, pending, (i) => benchJob(namespace, jobName("wait", i), "noop"), 64, () => {
      made++;
    });
  } finally {
    stopCount();
  }
  const createSeconds = secondsBetween(started, Date.now());

  progress.phase(scenario, `starting helios operator over ${total} jobs`);
  const before = await cluster.requestTotals();
  const operator = await OperatorProcess.start({
    kubeconfigPath: cluster.plane.kubeconfigPath,
    namespaces: [namespace],
    operatorNamespace: ctx.operatorNamespace,
    logDir: ctx.logDir,
    name: scenario,
    nodeOptions: ctx.operatorNodeOptions,
  });
  const stopSampling = operator.sampleMemory();
  try {
    const readyMs = await operator.waitReady(300_000);
    await operator.waitSynced(60_000);
    const rssAfterSync = (await procMemory(operator.pid))?.rss ?? Number.NaN;
    const { starting, synced } = operator.milestones;
    const syncMs = starting !== undefined && synced !== undefined ? synced - starting : Number.NaN;
    progress.phase(scenario, `caches synced in ${syncMs} ms (ready ${readyMs} ms after spawn), RSS ${(rssAfterSync / MB).toFixed(0)} MB`);

    // Dispatch cycles over the pending jobs: no agent can take them, so each cycle plans them all and
    // writes why they wait (a bounded number per cycle) until every one says so; then it goes quiet.
    let cycles: Histogram = histogramOf(await operator.metrics(), CYCLE_METRIC);
    let quietSince = Date.now();
    await waitFor(
      "dispatch to settle",
      async () => {
        const now = histogramOf(await operator.metrics(), CYCLE_METRIC);
        if (now.count !== cycles.count) quietSince = Date.now();
        cycles = now;
        return Date.now() - quietSince >= SETTLE_MS;
      },
      300_000,
    );
    const after = await cluster.requestTotals();
    const conditionWrites = diffRequestTotals(before, after)
      .filter((c) => isWrite(c) && c.resource === "jobs" && c.subresource === "status")
      .reduce((n, c) => n + c.count, 0);
    const cachedJobs = await cachedJobCount(operator);
    const memory = await stopSampling();
    progress.phase(scenario, `${cycles.count} dispatch cycles, mean ${((cycles.sum / Math.max(1, cycles.count)) * 1000).toFixed(0)} ms; peak RSS ${memory.peakRssMb?.toFixed(0)} MB`);

    const planOnCache = await timePlanOnCache(ctx, namespace, ctx.quick ? 5 : 15);
    return {
      jobs: total,
      pending,
      createSeconds,
      syncMs,
      readyMs,
      cachedJobs,
      operator: memory,
      rssAfterSyncMb: rssAfterSync / MB,
      dispatchCycles: {
        count: cycles.count,
        meanMs: cycles.count === 0 ? null : (cycles.sum / cycles.count) * 1000,
        p50Ms: histogramQuantile(cycles, 0.5) * 1000,
        p99Ms: histogramQuantile(cycles, 0.99) * 1000,
        conditionWrites,
      },
      planOnCache,
    };
  } finally {
    await stopSampling().catch(() => undefined);
    await operator.stop();
  }
}

/** Jobs in the operator's cache, from its helios_jobs gauge. */
async function cachedJobCount(operator: OperatorProcess): Promise<number> {
  return (await operator.metrics()).filter((s) => s.name === "helios_jobs").reduce((n, s) => n + s.value, 0);
}

/**
 * One dispatch cycle's CPU work (buildSnapshot + planDispatch) over a bench-side informer cache of
 * the same jobs, with 100 synthetic Ready agents of 10 slots so the placement path runs.
 */
async function timePlanOnCache(ctx: BenchContext, namespace: string, runs: number): Promise<ScaleResult["planOnCache"]> {
  const stopper = new AbortController();
  const informer = new Informer<Job>(new ResourceClient<Job>(ctx.cluster.transport, JOB_TYPE), { name: "bench/scale", namespace, indexers: JOB_INDEXERS, resyncPeriodMs: 0 });
  void informer.start(stopper.signal);
  try {
    await informer.waitForSync(stopper.signal);
    const agents = Array.from({ length: 100 }, (_, i) => syntheticAgent(namespace, i));
    const flags = schedulingFlags(NEUTRAL_CONTROL_FLAGS);
    const cycle = () => {
      const store = informer.store;
      const pendingJobs = store.byIndex(JOB_INDEX.byPhase, "Pending");
      const active = [...store.byIndex(JOB_INDEX.byPhase, "Assigned"), ...store.byIndex(JOB_INDEX.byPhase, "Running")];
      const plan = planDispatch(buildSnapshot({ pending: pendingJobs, active, held: [], agents, flags, now: Date.now(), maxAssignments: 256 }));
      return { pending: pendingJobs.length, assigned: plan.assignments.length };
    };
    let last = cycle();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      await delay(0); // let the event loop breathe between runs
      const t0 = performance.now();
      last = cycle();
      times.push(performance.now() - t0);
    }
    const s = summarize(times);
    ctx.progress.phase("scale", `snapshot + plan on the cache: median ${s.p50.toFixed(1)} ms over ${last.pending} pending`);
    return { pending: last.pending, agents: agents.length, assigned: last.assigned, runs, medianMs: s.p50, minMs: s.min, maxMs: s.max };
  } finally {
    stopper.abort();
  }
}
