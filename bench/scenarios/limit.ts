// Scenario 1, the limit: a bare client doing a job's minimal API work (create + assign, start,
// finish status writes) at a few concurrencies; the best rate is this apiserver's ceiling here.
import { meterCpu } from "../cpu.js";
import { measureLimit, type LimitRow } from "../limit.js";
import type { LimitResult } from "../report.js";
import { perJob, type BenchContext } from "./context.js";

export async function runLimit(ctx: BenchContext): Promise<LimitResult> {
  const namespace = await ctx.cluster.createNamespace("bench-limit");
  const concurrencies = ctx.quick ? [8, 32] : [8, 16, 32, 64];
  const jobs = ctx.quick ? 200 : 1_500;
  const rows: (LimitRow & { cpuMsPerJob: Record<string, number> })[] = [];
  const state = ctx.cluster.plane.state();
  // A short warm-up so the first measured row does not pay for cold connections and caches.
  await measureLimit(ctx.cluster.transport, namespace, ctx.quick ? 40 : 200, 16, "warm");
  for (const concurrency of concurrencies) {
    ctx.progress.phase("limit", `${jobs} bare-client job lifecycles at concurrency ${concurrency}`);
    const stopCpu = await meterCpu({ apiserver: state.apiServer.pid, etcd: state.etcd.pid, client: process.pid });
    const row = await measureLimit(ctx.cluster.transport, namespace, jobs, concurrency, `c${concurrency}`);
    const cpu = await stopCpu();
    ctx.progress.phase("limit", `concurrency ${concurrency}: ${row.jobsPerSecond.toFixed(0)} jobs/s`);
    rows.push({ ...row, cpuMsPerJob: perJob(cpu, jobs) });
  }
  const best = rows.reduce((a, b) => (b.jobsPerSecond > a.jobsPerSecond ? b : a));
  return { rows: rows.map((r) => ({ ...r })), best: { concurrency: best.concurrency, jobsPerSecond: best.jobsPerSecond } };
}
