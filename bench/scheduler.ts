// Scheduler micro-benchmark: one planDispatch cycle over 10 000 pending jobs and 500 agents.
//
// Run: `npx tsc -p tsconfig.build.json && node dist/bench/scheduler.js [--quick] [--runs N]`.
// Snapshots come from a seeded generator, so every run measures the same work.
import { availableParallelism, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import Table from "cli-table3";
import {
  planDispatch,
  type PriorityClass,
  type SchedulingAgent,
  type SchedulingJob,
  type SchedulingSnapshot,
} from "../src/scheduling/index.js";
import { seededRandom as rng } from "../hack/seeded-random.js";

/** One measured scenario. */
export interface SchedulerBenchRow {
  readonly scenario: string;
  readonly jobs: number;
  readonly agents: number;
  readonly assigned: number;
  readonly unplaced: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  /** Median CPU time of the process per cycle: unlike wall time, not inflated by other processes on the machine. */
  readonly cpuMedianMs: number;
}

export interface SchedulerBenchOptions {
  /** Measured runs per scenario (after warm-up). */
  readonly runs?: number;
  readonly warmup?: number;
}

const NOW = Date.UTC(2030, 0, 1);
const MINUTE = 60_000;
const CAPABILITIES = ["cpu", "gpu", "net", "pdf", "ffmpeg", "db"] as const;
const QUEUES = ["default", "default", "batch", "reports", "ml"] as const;
const ZONES = ["a", "b", "c"] as const;
const CLASSES: readonly PriorityClass[] = ["critical", "high", "normal", "normal", "normal", "low", "low"];


interface Shape {
  readonly name: string;
  readonly jobs: number;
  readonly agents: number;
  readonly namespaces: number;
  readonly maxConcurrency: number;
  /** Share of agent capacity already in use. */
  readonly busy: number;
}

function snapshotFor(shape: Shape, seed: number): SchedulingSnapshot {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const subset = <T>(items: readonly T[], min: number, max: number): T[] => {
    const n = min + Math.floor(random() * (max - min + 1));
    return [...new Set(Array.from({ length: n }, () => pick(items)))];
  };
  const ns = (i: number): string => `tenant-${i % shape.namespaces}`;

  const agents: SchedulingAgent[] = Array.from({ length: shape.agents }, (_, i) => {
    const roll = random();
    const maxConcurrency = 1 + Math.floor(random() * shape.maxConcurrency);
    return {
      name: `agent-${i}`,
      namespace: ns(i),
      phase: roll < 0.9 ? "Ready" : roll < 0.95 ? "Offline" : roll < 0.98 ? "Draining" : "Quarantined",
      drain: random() < 0.02,
      labels: { zone: pick(ZONES) },
      capabilities: ["cpu", ...subset(CAPABILITIES, 0, 2)],
      queues: subset(QUEUES, 1, 2),
      maxConcurrency,
      running: Math.floor(random() * (maxConcurrency + 1) * shape.busy),
    };
  });
  const jobs: SchedulingJob[] = Array.from({ length: shape.jobs }, (_, i) => {
    const namespace = ns(Math.floor(random() * shape.namespaces));
    const roll = random();
    const job: SchedulingJob = {
      key: `${namespace}/job-${i}`,
      namespace,
      type: random() < 0.01 ? "legacy.export" : pick(["report.generate", "image.resize", "email.send"]),
      queue: pick(QUEUES),
      priority: pick(CLASSES),
      queuedAt: NOW - Math.floor(random() * 120 * MINUTE),
      requiredCapabilities: subset(CAPABILITIES, 0, 2),
      ...(random() < 0.2 ? { agentSelector: { matchExpressions: [{ key: "zone", operator: "In" as const, values: subset(ZONES, 1, 2) }] } } : {}),
      ...(roll < 0.05 ? { notBefore: NOW + Math.floor(random() * 30 * MINUTE) } : {}),
      ...(roll > 0.95 ? { nextAttemptAt: NOW + Math.floor(random() * 10 * MINUTE) } : {}),
    };
    return job;
  });
  const inFlight = [...new Set(agents.map((a) => a.namespace))].flatMap((namespace) =>
    ["default", "batch", "reports", "ml"].map((queue) => ({ namespace, queue, count: Math.floor(random() * 20) })),
  );
  return {
    now: NOW,
    jobs,
    agents,
    inFlight,
    flags: {
      dispatchPaused: false,
      killSwitch: (ctx) => ctx.jobType === "legacy.export",
      agentMaxConcurrency: (ctx) => (ctx.labels["zone"] === "c" ? 2 : undefined),
      queueMaxInflight: (queue) => (queue === "reports" ? 40 : undefined),
      dispatchDelayMs: 0,
    },
  };
}

const SHAPES: readonly Shape[] = [
  { name: "mixed: 20 tenants, 5 queues, 6 capabilities", jobs: 10_000, agents: 500, namespaces: 20, maxConcurrency: 8, busy: 0.5 },
  { name: "one tenant (largest agent buckets)", jobs: 10_000, agents: 500, namespaces: 1, maxConcurrency: 8, busy: 0.5 },
  { name: "idle fleet (most jobs placed)", jobs: 10_000, agents: 500, namespaces: 20, maxConcurrency: 64, busy: 0 },
];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** Runs every scenario: warm-up cycles first (JIT), then `runs` timed cycles each. */
export function runSchedulerBench(options: SchedulerBenchOptions = {}): SchedulerBenchRow[] {
  const runs = options.runs ?? 30;
  const warmup = options.warmup ?? 10;
  return SHAPES.map((shape, i) => {
    const snapshot = snapshotFor(shape, 42 + i);
    let plan = planDispatch(snapshot);
    for (let w = 1; w < warmup; w++) plan = planDispatch(snapshot);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      plan = planDispatch(snapshot);
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return {
      scenario: shape.name,
      jobs: shape.jobs,
      agents: shape.agents,
      assigned: plan.assignments.length,
      unplaced: plan.unplaced.length,
      runs,
      medianMs: percentile(times, 0.5),
      p90Ms: percentile(times, 0.9),
      minMs: times[0] ?? Number.NaN,
      cpuMedianMs: percentile(cpu, 0.5),
    };
  });
}

/** The rows as a small table. */
export function formatSchedulerBench(rows: readonly SchedulerBenchRow[]): string {
  const table = new Table({ head: ["scheduler cycle", "jobs", "agents", "assigned", "unplaced", "runs", "median ms", "p90 ms", "min ms", "cpu median ms"] });
  for (const r of rows) {
    table.push([r.scenario, r.jobs, r.agents, r.assigned, r.unplaced, r.runs, r.medianMs.toFixed(2), r.p90Ms.toFixed(2), r.minMs.toFixed(2), r.cpuMedianMs.toFixed(2)]);
  }
  return table.toString();
}

function main(argv: readonly string[]): void {
  const quick = argv.includes("--quick");
  const runsAt = argv.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : quick ? 5 : 30;
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write("--runs needs a positive integer\n");
    process.exit(2);
  }
  const rows = runSchedulerBench({ runs, warmup: quick ? 3 : 10 });
  process.stdout.write(`${formatSchedulerBench(rows)}\n`);
  process.stdout.write(`Target: median < 50 ms per cycle for 10 000 jobs x 500 agents. Load average now: ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores.\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
