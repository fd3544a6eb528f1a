// The bench's result: its JSON shape (a zod schema, so the smoke test and readers check it), the
// targets of issue 10 judged against it, and the console table.
import Table from "cli-table3";
import { z } from "zod";

// JSON has no NaN: a figure that could not be measured is written as null.
const figure = z.number().nullable();

export const summarySchema = z.object({
  count: z.number().int().nonnegative(),
  min: figure,
  p50: figure,
  p90: figure,
  p99: figure,
  max: figure,
  mean: figure,
});

const writeRowSchema = z.object({
  resource: z.string(),
  subresource: z.string(),
  verb: z.string(),
  count: z.number().nonnegative(),
  perJob: figure,
});

/** CPU ms per job by process (apiserver, etcd, operator, agents, bench or client), from /proc. */
const cpuSchema = z.record(z.string(), figure);

export const limitSchema = z.object({
  rows: z
    .array(z.object({ concurrency: z.number().int().positive(), jobs: z.number().int().positive(), seconds: z.number(), jobsPerSecond: z.number(), writesPerJob: z.number(), cpuMsPerJob: cpuSchema }))
    .min(1),
  best: z.object({ concurrency: z.number().int().positive(), jobsPerSecond: z.number() }),
});

export const memorySchema = z.object({
  /** Peak resident set (the kernel's high-water mark, VmHWM). */
  peakRssMb: figure,
  /** Highest `nodejs_heap_size_used_bytes` sampled from the operator's /metrics. */
  peakHeapUsedMb: figure,
  /** Resident set when the scenario's measurement ended. */
  endRssMb: figure,
});

export const throughputSchema = z.object({
  jobs: z.number().int().positive(),
  agents: z.number().int().positive(),
  agentCapacity: z.number().int().positive(),
  createConcurrency: z.number().int().positive(),
  /** First create sent → last create answered. */
  createSeconds: z.number(),
  /** First create sent → last job seen Succeeded. */
  seconds: z.number(),
  jobsPerSecond: z.number(),
  ratioToLimit: figure,
  latencyMs: z.object({ createdToAssigned: summarySchema, createdToSucceeded: summarySchema }),
  writes: z.object({ total: z.number(), perJob: z.number(), byResource: z.array(writeRowSchema) }),
  /** Other requests in the same window (GET, LIST, WATCH), including the bench's own watch and /metrics scrapes. */
  reads: z.array(writeRowSchema),
  operator: memorySchema,
  cpuMsPerJob: cpuSchema,
  /** Where the operator ran: "child process" (helios operator) or "in-process". */
  operatorMode: z.string(),
});

export const burstSchema = z.object({
  jobs: z.number().int().positive(),
  /** Open-loop arrival rate; null: all submitted at once (64 creates in flight). */
  ratePerSecond: figure,
  freeCapacity: z.number().int().positive(),
  createSeconds: z.number(),
  latencyMs: z.object({ createdToAssigned: summarySchema, createdToSucceeded: summarySchema }),
});

export const scaleSchema = z.object({
  jobs: z.number().int().positive(),
  pending: z.number().int().nonnegative(),
  createSeconds: z.number(),
  /** The operator's own log: "starting operator" → "caches synced". */
  syncMs: figure,
  /** Process spawn → /readyz answering 200. */
  readyMs: figure,
  cachedJobs: z.number().int().nonnegative(),
  operator: memorySchema,
  /** Resident set right after the caches synced. */
  rssAfterSyncMb: figure,
  dispatchCycles: z.object({ count: z.number(), meanMs: figure, p50Ms: figure, p99Ms: figure, conditionWrites: z.number() }),
  /** buildSnapshot + planDispatch on a bench-side informer cache of the same jobs, with a synthetic fleet. */
  planOnCache: z.object({ pending: z.number(), agents: z.number(), assigned: z.number(), runs: z.number(), medianMs: figure, minMs: figure, maxMs: figure }),
});

export const recoverySchema = z.object({
  jobs: z.number().int().positive(),
  agents: z.number().int().positive(),
  killed: z.number().int().positive(),
  victimJobs: z.number().int().nonnegative(),
  staleTimeoutMs: z.number(),
  leaseDurationSeconds: z.number(),
  ackDelayMs: z.number(),
  backoffSeconds: z.number(),
  /** Worst victim: its Agent seen Offline, after its own stale deadline (last renewal seen + timeout). */
  offlineAfterStaleMs: figure,
  /** All victims' jobs assigned to a survivor, after the latest victim's stale deadline. */
  reassignedAfterStaleMs: figure,
  /** All victims' jobs Running on a survivor, after the latest victim's stale deadline. */
  runningElsewhereAfterStaleMs: figure,
});

export const flagReactionSchema = z.object({
  /** Flip to paused → the last assignment the bench saw. 0 when none followed the flip. */
  pauseToLastAssignmentMs: figure,
  assignmentsAfterPause: z.number().int().nonnegative(),
  /** Jobs Pending when dispatch resumed. */
  pendingAtResume: z.number().int().nonnegative(),
  resumeToFirstAssignmentMs: figure,
  observeWindowMs: z.number(),
});

/** One measurement window of the leaseChurn scenario. */
export const leaseChurnWindowSchema = z.object({
  seconds: z.number(),
  /** The operator's CPU time (user + system, /proc) per second of the window. */
  cpuMsPerSecond: figure,
  /** Resident set at the window's end. */
  rssMb: figure,
  /** Highest resident set sampled in the window (every 500 ms). */
  peakRssMb: figure,
});

export const leaseChurnSchema = z.object({
  /** Leases that are not agents' (no helios.dev/agent label), created after the idle window. */
  foreignLeases: z.number().int().nonnegative(),
  renewPeriodSeconds: z.number(),
  /** Foreign Lease renewals (PUTs) per second the bench achieved in the churn window. */
  renewalsPerSecond: z.number(),
  /** The operator (watching every namespace) on a cluster without foreign Leases. */
  idle: leaseChurnWindowSchema,
  /** The same operator while every foreign Lease is renewed each period. */
  churn: leaseChurnWindowSchema,
  /** helios_informer_cache_objects{informer="leases"} after the churn; null when the operator does not export it. */
  cachedLeases: figure,
  /** controller_runtime_reconcile_total{controller="agent-health"} during the churn window. */
  agentHealthReconciles: z.number(),
});

export const targetSchema = z.object({
  name: z.string(),
  target: z.string(),
  measured: z.string(),
  /** null: not measured in this run. */
  pass: z.boolean().nullable(),
});

export const dashboardSchema = z.object({
  /** Pending jobs in the one namespace the dashboard shows. */
  jobs: z.number().int().positive(),
  tabs: z.number().int().positive(),
  createSeconds: z.number(),
  /** `helios dashboard` spawned → its cache holds every job. */
  readySeconds: z.number(),
  /** One GET of the jobs API's first page (50 rows), caches warm. */
  apiFirstPageMs: z.number(),
  /** Per tab, opened one after another: navigation → the first row of the jobs table on screen (the first tab cold). */
  firstPageMs: z.array(z.number()).min(1),
  /** The dashboard server's resident set with every tab open. */
  serverRssMb: z.number(),
});

export const benchReportSchema = z.object({
  version: z.literal(1),
  quick: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Node options of the operator process (the image's NODE_OPTIONS unless overridden). */
  operatorNodeOptions: z.array(z.string()),
  machine: z.object({
    cpus: z.number().int().positive(),
    totalMemoryMb: z.number(),
    node: z.string(),
    kubernetes: z.string(),
    loadAverageStart: z.array(z.number()).length(3),
    loadAverageEnd: z.array(z.number()).length(3),
  }),
  scheduler: z.array(z.object({ scenario: z.string(), jobs: z.number(), agents: z.number(), medianMs: z.number(), cpuMedianMs: z.number() })).optional(),
  limit: limitSchema.optional(),
  throughput: throughputSchema.optional(),
  burst: burstSchema.optional(),
  paced: burstSchema.optional(),
  scale: scaleSchema.optional(),
  recovery: recoverySchema.optional(),
  flags: flagReactionSchema.optional(),
  leaseChurn: leaseChurnSchema.optional(),
  dashboard: dashboardSchema.optional(),
  targets: z.array(targetSchema),
  notes: z.array(z.string()),
});

export type BenchReport = z.infer<typeof benchReportSchema>;
export type LimitResult = z.infer<typeof limitSchema>;
export type ThroughputResult = z.infer<typeof throughputSchema>;
export type BurstResult = z.infer<typeof burstSchema>;
export type ScaleResult = z.infer<typeof scaleSchema>;
export type RecoveryResult = z.infer<typeof recoverySchema>;
export type FlagReactionResult = z.infer<typeof flagReactionSchema>;
export type DashboardResult = z.infer<typeof dashboardSchema>;
export type LeaseChurnResult = z.infer<typeof leaseChurnSchema>;
export type LeaseChurnWindow = z.infer<typeof leaseChurnWindowSchema>;
export type MemoryResult = z.infer<typeof memorySchema>;
export type Target = z.infer<typeof targetSchema>;
export type LatencySummary = z.infer<typeof summarySchema>;

type Sections = Pick<BenchReport, "limit" | "throughput" | "burst" | "paced" | "scale" | "recovery" | "flags" | "dashboard">;

const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(digits));

function judge(name: string, target: string, value: number | null | undefined, show: (v: number) => string, ok: (v: number) => boolean): Target {
  const measured = value === null || value === undefined || !Number.isFinite(value);
  return { name, target, measured: measured ? "not measured" : show(value), pass: measured ? null : ok(value) };
}

/** Issue 10's targets, judged on what this run measured (pass null when a figure is missing). */
export function evaluateTargets(r: Sections): Target[] {
  const flagWorst = r.flags === undefined ? undefined : Math.max(r.flags.pauseToLastAssignmentMs ?? NaN, r.flags.resumeToFirstAssignmentMs ?? NaN);
  return [
    judge("throughput vs limit", ">= 70 % of the limit", r.throughput?.ratioToLimit, (v) => `${(v * 100).toFixed(0)} %`, (v) => v >= 0.7),
    judge("API writes per job", "<= 3.2 (all actors, audit included)", r.throughput?.writes.perJob, (v) => v.toFixed(2), (v) => v <= 3.2),
    judge("p99 created→assigned", "< 250 ms (paced arrivals, free capacity)", r.paced?.latencyMs.createdToAssigned.p99, (v) => `${v.toFixed(0)} ms`, (v) => v < 250),
    judge("operator RSS at scale", `< 200 MB with ${r.scale?.jobs ?? 50_000} jobs`, r.scale?.operator.peakRssMb, (v) => `${v.toFixed(0)} MB`, (v) => v < 200),
    judge("recovery after stale timeout", "<= 2 s (victims' jobs running elsewhere)", r.recovery?.runningElsewhereAfterStaleMs, (v) => `${(v / 1000).toFixed(2)} s`, (v) => v <= 2000),
    judge("dashboard first page", `< 1 s with ${r.dashboard?.jobs ?? 5_000} jobs (slowest tab)`, r.dashboard === undefined ? undefined : Math.max(...r.dashboard.firstPageMs), (v) => `${v.toFixed(0)} ms`, (v) => v < 1000),
    judge("flag reaction", "< 1 s (pause → last assignment, resume → first)", flagWorst, (v) => `${v.toFixed(0)} ms`, (v) => v < 1000),
  ];
}

function cpuCells(cpu: Readonly<Record<string, number | null>>): string {
  return Object.entries(cpu)
    .map(([name, ms]) => `${name} ${fmt(ms, 1)}`)
    .join(", ");
}

function latencyCells(s: LatencySummary): string {
  return `p50 ${fmt(s.p50)} / p99 ${fmt(s.p99)} / max ${fmt(s.max)} ms`;
}

/** The human table: one block of figures per scenario, then the targets. */
export function formatReport(report: BenchReport): string {
  const figures = new Table({ head: ["scenario", "figure", "value"], wordWrap: true, colWidths: [14, 44, 52] });
  const { limit, throughput: tp, scale, recovery: rec, flags, leaseChurn: churn, dashboard } = report;
  if (limit) {
    for (const row of limit.rows) figures.push(["limit", `bare client, concurrency ${row.concurrency}`, `${fmt(row.jobsPerSecond)} jobs/s (${row.jobs} jobs, ${row.writesPerJob} writes each); CPU ms/job ${cpuCells(row.cpuMsPerJob)}`]);
    figures.push(["limit", "best", `${fmt(limit.best.jobsPerSecond)} jobs/s at concurrency ${limit.best.concurrency}`]);
  }
  if (tp) {
    figures.push(["throughput", `${tp.jobs} jobs, ${tp.agents} agents x ${tp.agentCapacity / tp.agents}`, `${fmt(tp.jobsPerSecond)} jobs/s end to end in ${fmt(tp.seconds, 1)} s (${fmt((tp.ratioToLimit ?? NaN) * 100)} % of limit)`]);
    figures.push(["throughput", "created → assigned", latencyCells(tp.latencyMs.createdToAssigned)]);
    figures.push(["throughput", "created → succeeded", latencyCells(tp.latencyMs.createdToSucceeded)]);
    figures.push(["throughput", "API writes per job", `${tp.writes.perJob.toFixed(2)} (${tp.writes.total} writes)`]);
    for (const w of tp.writes.byResource) figures.push(["", `  ${w.verb} ${w.resource}${w.subresource === "" ? "" : `/${w.subresource}`}`, `${fmt(w.perJob, 3)} per job (${w.count})`]);
    figures.push(["throughput", "other requests (all clients)", tp.reads.map((r) => `${r.verb} ${r.resource}${r.subresource === "" ? "" : `/${r.subresource}`} ${r.count}`).join(", ")]);
    figures.push(["throughput", "CPU ms per job", cpuCells(tp.cpuMsPerJob)]);
    figures.push(["throughput", `operator (${tp.operatorMode}) peak RSS / heap`, `${fmt(tp.operator.peakRssMb)} MB / ${fmt(tp.operator.peakHeapUsedMb)} MB`]);
  }
  for (const [name, b] of [["burst", report.burst], ["paced", report.paced]] as const) {
    if (b === undefined) continue;
    const arrival = b.ratePerSecond === null ? "at once" : `at ${fmt(b.ratePerSecond)}/s`;
    figures.push([name, `${b.jobs} jobs ${arrival}, ${b.freeCapacity} free slots`, `created in ${fmt(b.createSeconds, 1)} s`]);
    figures.push([name, "created → assigned", latencyCells(b.latencyMs.createdToAssigned)]);
    figures.push([name, "created → succeeded", latencyCells(b.latencyMs.createdToSucceeded)]);
  }
  if (scale) {
    figures.push(["scale", `${scale.jobs} jobs (${scale.pending} pending)`, `created in ${fmt(scale.createSeconds, 1)} s; operator cached ${scale.cachedJobs}`]);
    figures.push(["scale", "cache sync (operator log) / spawn → ready", `${fmt(scale.syncMs)} ms / ${fmt(scale.readyMs)} ms`]);
    figures.push(["scale", "operator RSS after sync / peak / heap peak", `${fmt(scale.rssAfterSyncMb)} / ${fmt(scale.operator.peakRssMb)} / ${fmt(scale.operator.peakHeapUsedMb)} MB`]);
    const c = scale.dispatchCycles;
    figures.push(["scale", `dispatch cycle, ${scale.pending} pending (helios_dispatch_cycle_seconds)`, `${c.count} cycles: mean ${fmt(c.meanMs)} ms, p50 ~${fmt(c.p50Ms)} ms, p99 ~${fmt(c.p99Ms)} ms (${c.conditionWrites} condition writes)`]);
    const p = scale.planOnCache;
    figures.push(["scale", `snapshot + plan on the cache, ${p.agents} agents`, `median ${fmt(p.medianMs, 1)} ms, min ${fmt(p.minMs, 1)}, max ${fmt(p.maxMs, 1)} (${p.assigned} placed of ${p.pending})`]);
  }
  if (rec) {
    figures.push(["recovery", `${rec.jobs} running on ${rec.agents} agents, kill ${rec.killed}`, `${rec.victimJobs} jobs on the killed agents; stale timeout ${rec.staleTimeoutMs} ms, job backoff ${rec.backoffSeconds} s (not waited on agent loss), ack delay ${rec.ackDelayMs} ms`]);
    figures.push(["recovery", "after the stale deadline: Offline / reassigned / running", `${fmt(rec.offlineAfterStaleMs)} / ${fmt(rec.reassignedAfterStaleMs)} / ${fmt(rec.runningElsewhereAfterStaleMs)} ms`]);
  }
  if (flags) {
    figures.push(["flags", "pause → last assignment", `${fmt(flags.pauseToLastAssignmentMs)} ms (${flags.assignmentsAfterPause} assignments after the flip)`]);
    figures.push(["flags", "resume → first assignment", `${fmt(flags.resumeToFirstAssignmentMs)} ms (${flags.pendingAtResume} pending)`]);
  }
  if (churn) {
    const window = (w: LeaseChurnResult["idle"]) => `${fmt(w.cpuMsPerSecond, 1)} CPU ms/s, RSS ${fmt(w.rssMb)} MB (peak ${fmt(w.peakRssMb)})`;
    figures.push(["leaseChurn", "operator (all namespaces), no foreign Leases", window(churn.idle)]);
    figures.push([
      "leaseChurn",
      `${churn.foreignLeases} foreign Leases renewed every ${fmt(churn.renewPeriodSeconds)} s`,
      `${window(churn.churn)}; ${fmt(churn.renewalsPerSecond)} renewals/s`,
    ]);
    figures.push(["leaseChurn", "Leases cached / agent-health reconciles in the churn", `${fmt(churn.cachedLeases)} / ${churn.agentHealthReconciles}`]);
  }
  if (dashboard) {
    figures.push(["dashboard", `${dashboard.jobs} pending jobs, one namespace`, `created in ${fmt(dashboard.createSeconds, 1)} s; dashboard ready (all cached) ${fmt(dashboard.readySeconds, 1)} s after spawn`]);
    figures.push(["dashboard", `jobs table first page, ${dashboard.tabs} tabs in turn`, `${dashboard.firstPageMs.map((ms) => fmt(ms)).join(" / ")} ms (API first page ${fmt(dashboard.apiFirstPageMs, 1)} ms)`]);
    figures.push(["dashboard", `server RSS with ${dashboard.tabs} tabs open`, `${fmt(dashboard.serverRssMb)} MB`]);
  }
  const targets = new Table({ head: ["target", "wanted", "measured", "verdict"] });
  for (const t of report.targets) targets.push([t.name, t.target, t.measured, t.pass === null ? "n/a" : t.pass ? "PASS" : "FAIL"]);
  const m = report.machine;
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(" ");
  const header = `Helios bench${report.quick ? " (QUICK)" : ""}: ${m.cpus} cores, Node ${m.node}, kube-apiserver ${m.kubernetes}; load average ${load(m.loadAverageStart)} at start, ${load(m.loadAverageEnd)} at end; operator node options: ${report.operatorNodeOptions.join(" ") || "(none)"}`;
  return [header, figures.toString(), targets.toString(), ...report.notes.map((n) => `note: ${n}`)].join("\n");
}
