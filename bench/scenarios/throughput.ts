// Scenario 2, throughput: N no-op jobs through the operator process and SDK agents, end to end,
// with latencies from the bench's watch and API writes counted by the apiserver itself. Also the
// burst: jobs submitted at once into free capacity, for the created → assigned latency.
import { setTimeout as delay } from "node:timers/promises";
import { diffRequestTotals, isWrite } from "../../hack/control-plane/index.js";
import { meterCpu } from "../cpu.js";
import { waitFor } from "../job-timeline.js";
import { benchJob, createJobs } from "../jobs.js";
import type { BurstResult, ThroughputResult } from "../report.js";
import { sampleSum, summarize } from "../stats.js";
import { perJob, secondsBetween, type BenchContext } from "./context.js";
import { jobName, type Tenant } from "./tenant.js";

export interface ThroughputOptions {
  readonly jobs: number;
  readonly createConcurrency: number;
  readonly agents: number;
  readonly agentCapacity: number;
  /** The limit's jobs/s measured in this run, for the ratio. */
  readonly limitJobsPerSecond: number | undefined;
}

/** Open-loop arrivals: job i is created at start + i / rate, whatever the earlier creates are doing. */
async function createPaced(tenant: Tenant, prefix: string, count: number, ratePerSecond: number) {
  const firstSentAt = Date.now();
  const creates: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = firstSentAt + (i * 1000) / ratePerSecond;
    if (due > Date.now()) await delay(due - Date.now());
    creates.push(
      tenant.jobs.create(benchJob(tenant.namespace, jobName(prefix, i), "noop")).then((job) => tenant.timeline.markCreated(job.metadata.name ?? "", Date.now())),
    );
  }
  await Promise.all(creates);
  return { firstSentAt, lastAnsweredAt: Date.now(), created: count };
}

/**
 * Submits `count` noop jobs named `prefix-*` (with `concurrency` creates in flight, or at
 * `ratePerSecond`) and waits until all Succeeded; returns their names and times.
 */
async function runBatch(ctx: BenchContext, tenant: Tenant, scenario: string, prefix: string, count: number, arrival: { concurrency: number } | { ratePerSecond: number }) {
  const { timeline } = tenant;
  const names = Array.from({ length: count }, (_, i) => jobName(prefix, i));
  const done = () => names.reduce((n, name) => n + (timeline.tracks.get(name)?.succeeded === undefined ? 0 : 1), 0);
  const stopCount = ctx.progress.count(scenario, "jobs succeeded", count, done);
  try {
    const created =
      "ratePerSecond" in arrival
        ? await createPaced(tenant, prefix, count, arrival.ratePerSecond)
        : await createJobs(tenant.jobs, count, (i) => benchJob(tenant.namespace, jobName(prefix, i), "noop"), arrival.concurrency, (job, at) =>
            timeline.markCreated(job.metadata.name ?? "", at),
          );
    ctx.progress.phase(scenario, `${count} jobs created in ${secondsBetween(created.firstSentAt, created.lastAnsweredAt).toFixed(1)} s`);
    await waitFor(`${count} ${prefix} jobs Succeeded`, () => done() === count, Math.max(120_000, count * 60), () => `${done()} succeeded`);
    const finishedAt = Math.max(...names.map((n) => timeline.tracks.get(n)?.succeeded ?? 0));
    return { names, created, finishedAt };
  } finally {
    stopCount();
  }
}

export async function runThroughput(ctx: BenchContext, tenant: Tenant, options: ThroughputOptions): Promise<ThroughputResult> {
  const scenario = "throughput";
  const before = await ctx.cluster.requestTotals();
  const stopSampling = tenant.operator.sampleMemory();
  const state = ctx.cluster.plane.state();
  const stopCpu = await meterCpu({
    apiserver: state.apiServer.pid,
    etcd: state.etcd.pid,
    operator: tenant.operator.pid,
    agents: tenant.fleets.get("agents")?.pid ?? 0,
    bench: process.pid,
  });
  ctx.progress.phase(scenario, `${options.jobs} no-op jobs, ${options.createConcurrency} creates in flight`);
  const { names, created, finishedAt } = await runBatch(ctx, tenant, scenario, "tp", options.jobs, { concurrency: options.createConcurrency });
  // The audit trail is part of the cost: wait for the operator's writer to put its last chunk.
  await waitFor("audit entries written", async () => sampleSum(await tenant.operator.metrics(), "helios_audit_pending_entries") === 0, 30_000);
  const cpu = await stopCpu();
  const after = await ctx.cluster.requestTotals();
  const operator = await stopSampling();

  const diff = diffRequestTotals(before, after);
  const writes = diff.filter(isWrite);
  const reads = diff.filter((c) => !isWrite(c));
  const total = writes.reduce((n, w) => n + w.count, 0);
  const seconds = secondsBetween(created.firstSentAt, finishedAt);
  const jobsPerSecond = options.jobs / seconds;
  const { toAssigned, toSucceeded } = tenant.timeline.latencies(names);
  return {
    jobs: options.jobs,
    agents: options.agents,
    agentCapacity: options.agentCapacity,
    createConcurrency: options.createConcurrency,
    createSeconds: secondsBetween(created.firstSentAt, created.lastAnsweredAt),
    seconds,
    jobsPerSecond,
    ratioToLimit: options.limitJobsPerSecond === undefined ? null : jobsPerSecond / options.limitJobsPerSecond,
    latencyMs: { createdToAssigned: summarize(toAssigned), createdToSucceeded: summarize(toSucceeded) },
    writes: {
      total,
      perJob: total / options.jobs,
      byResource: writes
        .sort((a, b) => b.count - a.count)
        .map((w) => ({ resource: w.resource, subresource: w.subresource, verb: w.verb, count: w.count, perJob: w.count / options.jobs })),
    },
    reads: reads
      .sort((a, b) => b.count - a.count)
      .map((r) => ({ resource: r.resource, subresource: r.subresource, verb: r.verb, count: r.count, perJob: r.count / options.jobs })),
    operator,
    cpuMsPerJob: perJob(cpu, options.jobs),
    operatorMode: "child process (helios operator)",
  };
}

/**
 * Latency with free capacity: `jobs` submitted at once (`ratePerSecond` undefined: 64 creates in
 * flight, a queue builds up at the apiserver's write rate) or as open-loop arrivals at a rate.
 */
export async function runLatency(ctx: BenchContext, tenant: Tenant, scenario: string, jobs: number, freeCapacity: number, ratePerSecond?: number): Promise<BurstResult> {
  const how = ratePerSecond === undefined ? "submitted at once (64 creates in flight)" : `arriving at ${ratePerSecond.toFixed(0)}/s`;
  ctx.progress.phase(scenario, `${jobs} jobs ${how} into ${freeCapacity} free slots`);
  const { names, created } = await runBatch(ctx, tenant, scenario, scenario, jobs, ratePerSecond === undefined ? { concurrency: 64 } : { ratePerSecond });
  const { toAssigned, toSucceeded } = tenant.timeline.latencies(names);
  return {
    jobs,
    ratePerSecond: ratePerSecond ?? null,
    freeCapacity,
    createSeconds: secondsBetween(created.firstSentAt, created.lastAnsweredAt),
    latencyMs: { createdToAssigned: summarize(toAssigned), createdToSucceeded: summarize(toSucceeded) },
  };
}
