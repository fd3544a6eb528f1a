// `make bench`: Helios measured against the apiserver's own limit on a private local control plane.
//
// Run: `npx tsc -p tsconfig.build.json && node dist/bench/main.js [--quick] [--only limit,throughput,...]
// [--jobs N] [--out DIR] [--operator-node-options "--max-semi-space-size=8 --cpu-prof --cpu-prof-dir=DIR"]`.
// Scenarios (issue 10): limit, throughput (+ burst and paced latency), flags, recovery, scale; plus the scheduler
// micro-benchmark, (issue 16) leaseChurn, the operator next to Leases that are not agents', and (issue 20)
// dashboard, the jobs table's first page over thousands of jobs in Chromium. Progress
// goes to stderr, the table to stdout; the JSON and the SVG chart go to bench/results/<timestamp>.{json,svg}.
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderChart } from "./chart.js";
import { REPO_ROOT, startBenchCluster, type BenchCluster } from "./cluster.js";
import { Progress } from "./progress.js";
import { evaluateTargets, formatReport, type BenchReport } from "./report.js";
import { runSchedulerBench } from "./scheduler.js";
import type { BenchContext } from "./scenarios/context.js";
import { createPauseFlag, runFlagReaction } from "./scenarios/flag-reaction.js";
import { runLeaseChurn } from "./scenarios/lease-churn.js";
import { runLimit } from "./scenarios/limit.js";
import { runDashboard } from "./scenarios/dashboard.js";
import { runRecovery } from "./scenarios/recovery.js";
import { runScale } from "./scenarios/scale.js";
import { startTenant } from "./scenarios/tenant.js";
import { runLatency, runThroughput } from "./scenarios/throughput.js";

/**
 * The operator's NODE_OPTIONS as the chart sets them by default (Dockerfile's young-generation cap,
 * heap at 75 % of the 512Mi limit), so the operator is measured as it is deployed
 * (test/unit/packaging/chart.test.ts checks they agree).
 */
const IMAGE_NODE_OPTIONS = ["--max-semi-space-size=8", "--max-old-space-size=384"];

const SCENARIOS = ["scheduler", "leaseChurn", "limit", "throughput", "burst", "paced", "flags", "recovery", "dashboard", "scale"] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Args {
  readonly quick: boolean;
  readonly only: ReadonlySet<Scenario>;
  readonly jobs: number | undefined;
  readonly out: string;
  readonly operatorNodeOptions: readonly string[];
}

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const only = value("--only")?.split(",").map((s) => s.trim()) ?? [...SCENARIOS];
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`--only: unknown scenario ${unknown.join(", ")} (one of ${SCENARIOS.join(", ")})`);
  const jobs = value("--jobs");
  if (jobs !== undefined && !(Number.isInteger(Number(jobs)) && Number(jobs) > 0)) throw new UsageError("--jobs needs a positive integer");
  return {
    quick: argv.includes("--quick"),
    only: new Set(only as Scenario[]),
    jobs: jobs === undefined ? undefined : Number(jobs),
    out: value("--out") ?? join(REPO_ROOT, "bench", "results"),
    operatorNodeOptions: value("--operator-node-options")?.split(" ").filter((s) => s !== "") ?? IMAGE_NODE_OPTIONS,
  };
}

class UsageError extends Error {}

function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
}

export async function runBench(args: Args): Promise<{ report: BenchReport; jsonPath: string; svgPath: string; failed: string[] }> {
  const startedAt = new Date();
  const loadAverageStart = loadavg();
  const progress = new Progress();
  const logDir = join(REPO_ROOT, ".helios", "bench-logs", stamp(startedAt));
  mkdirSync(logDir, { recursive: true });
  mkdirSync(args.out, { recursive: true });
  const want = (s: Scenario) => args.only.has(s);
  const failed: string[] = [];
  const notes: string[] = [];
  const report: Omit<BenchReport, "finishedAt" | "machine" | "targets"> & Partial<BenchReport> = {
    version: 1,
    quick: args.quick,
    startedAt: startedAt.toISOString(),
    operatorNodeOptions: [...args.operatorNodeOptions],
    notes,
  };

  // Each scenario runs on its own; one failing is reported and the others still run.
  const attempt = async <T>(name: Scenario, run: () => Promise<T>): Promise<T | undefined> => {
    if (!want(name)) return undefined;
    try {
      return await run();
    } catch (err) {
      failed.push(name);
      progress.phase(name, `FAILED: ${err instanceof Error ? err.message : String(err)}`);
      notes.push(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  };

  if (want("scheduler")) {
    progress.phase("scheduler", "planDispatch micro-benchmark (10 000 jobs x 500 agents)");
    report.scheduler = runSchedulerBench(args.quick ? { runs: 5, warmup: 3 } : { runs: 30, warmup: 10 }).map((r) => ({
      scenario: r.scenario,
      jobs: r.jobs,
      agents: r.agents,
      medianMs: r.medianMs,
      cpuMedianMs: r.cpuMedianMs,
    }));
  }

  progress.phase("setup", "starting a private control plane (kube-apiserver + etcd)");
  const cluster: BenchCluster = await startBenchCluster((line) => progress.phase("setup", line));
  const kubernetes = await cluster.version().catch(() => "unknown");
  try {
    const operatorNamespace = await cluster.createNamespace("bench-system");
    await createPauseFlag(cluster.transport, operatorNamespace);
    const ctx: BenchContext = { cluster, progress, logDir, quick: args.quick, operatorNamespace, operatorNodeOptions: args.operatorNodeOptions };

    // First: its operator watches every namespace, so the cluster holds nothing of the other scenarios yet.
    report.leaseChurn = await attempt("leaseChurn", () => runLeaseChurn(ctx));
    report.limit = await attempt("limit", () => runLimit(ctx));

    if (want("throughput") || want("burst") || want("paced") || want("flags")) {
      const agents = 10;
      const perAgent = 100;
      const tenant = await startTenant(ctx, "throughput", {
        namespace: "bench-throughput",
        fleets: [{ name: "agents", agents: Array.from({ length: agents }, (_, i) => `agent-${i}`), maxConcurrency: perAgent }],
        // The production defaults: 40 s leases, 1 s ack delay (no-op jobs finish before it, so they are never written Running).
        leaseDurationSeconds: 40,
        ackDelayMs: 1_000,
      });
      try {
        report.throughput = await attempt("throughput", () =>
          runThroughput(ctx, tenant, {
            jobs: args.jobs ?? (args.quick ? 300 : 5_000),
            createConcurrency: 32,
            agents,
            agentCapacity: agents * perAgent,
            limitJobsPerSecond: report.limit?.best.jobsPerSecond,
          }),
        );
        const latencyJobs = args.quick ? 300 : 1_000;
        report.burst = await attempt("burst", () => runLatency(ctx, tenant, "burst", latencyJobs, agents * perAgent));
        // Half of what Helios sustained here (or of the limit), so arrivals do not queue behind the apiserver's write rate.
        const sustained = report.throughput?.jobsPerSecond ?? report.limit?.best.jobsPerSecond ?? 40;
        const rate = Math.max(5, Math.round(sustained / 2));
        report.paced = await attempt("paced", () => runLatency(ctx, tenant, "paced", latencyJobs, agents * perAgent, rate));
        report.flags = await attempt("flags", () => runFlagReaction(ctx, tenant));
      } finally {
        await tenant.stop();
      }
    }
    report.recovery = await attempt("recovery", () => runRecovery(ctx));
    report.dashboard = await attempt("dashboard", () => runDashboard(ctx));
    // Last: its tens of thousands of objects stay in etcd and the apiserver's watch cache.
    report.scale = await attempt("scale", () => runScale(ctx));
  } finally {
    progress.phase("teardown", "stopping the control plane");
    await cluster.stop();
  }

  notes.push(
    "The operator runs as a `helios operator` child process (memory figures are its own); SDK agents run in agent-host child processes; the bench process creates jobs and watches them.",
    "Latencies are from the bench's own watch (ms precision): created = the earlier of the create answer and the first watch event.",
    "The limit is create + 3 status writes per job (assign, start, finish); Helios's lazy ack skips the start write for jobs that finish within 1 s.",
  );
  if (report.recovery) {
    notes.push(
      `Recovery jobs keep the default retry policy (backoffSeconds ${report.recovery.backoffSeconds}): losing an agent counts a retry but requeues without a backoff wait, so the figure is detection plus two writes per moved job (the dispatcher's requeue and assignment in one write, then the agent's Running).`,
    );
  }
  const full: BenchReport = {
    ...report,
    finishedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), totalMemoryMb: Math.round(totalmem() / 1024 / 1024), node: process.versions.node, kubernetes, loadAverageStart, loadAverageEnd: loadavg() },
    targets: evaluateTargets(report),
  };
  const base = join(args.out, stamp(startedAt));
  const jsonPath = `${base}.json`;
  const svgPath = `${base}.svg`;
  writeFileSync(jsonPath, `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(svgPath, renderChart(full));
  return { report: full, jsonPath, svgPath, failed };
}

async function main(argv: readonly string[]): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const { report, jsonPath, svgPath, failed } = await runBench(args);
  process.stdout.write(`${formatReport(report)}\nresults: ${jsonPath}\nchart:   ${svgPath}\n`);
  if (failed.length > 0) {
    process.stderr.write(`failed scenarios: ${failed.join(", ")}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
