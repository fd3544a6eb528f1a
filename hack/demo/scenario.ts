// What the demo submits, and how each job is expected to end.
import type { JobInput, JobPhase } from "../../src/api/index.js";

export const DEMO_NAMESPACES = ["team-a", "team-b"] as const;
export const OPERATOR_NAMESPACE = "helios-system";

export interface DemoAgent {
  readonly name: string;
  readonly namespace: string;
  readonly capabilities: readonly string[];
  readonly maxConcurrency: number;
}

/** Three agents with different capabilities; team-a has two so one can die and the other takes over. */
export const DEMO_AGENTS: readonly DemoAgent[] = [
  { name: "alpha", namespace: "team-a", capabilities: ["echo", "sleep"], maxConcurrency: 2 },
  { name: "beta", namespace: "team-a", capabilities: ["echo", "sleep", "fail"], maxConcurrency: 2 },
  { name: "gamma", namespace: "team-b", capabilities: ["echo", "sleep", "fail"], maxConcurrency: 3 },
];

export interface DemoJob {
  readonly job: JobInput;
  /** The terminal phase this job must reach for the demo to pass. */
  readonly expect: JobPhase;
  /** What the job shows off, for the summary. */
  readonly note: string;
  /** False for jobs made to wait on purpose (maintenance, notBefore): their wait is not schedule latency. */
  readonly measureLatency?: false;
}

type Priority = "critical" | "high" | "normal" | "low";

function job(namespace: string, name: string, type: string, payload: Record<string, unknown>, extra: Partial<JobInput["spec"]> = {}): JobInput {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "helios-demo" } },
    spec: { type, payload, requiredCapabilities: [type], ...extra },
  };
}

const sleepJob = (ns: string, name: string, duration: string, priority: Priority): DemoJob => ({
  job: job(ns, name, "sleep", { duration }, { priority }),
  expect: "Succeeded",
  note: `${priority} sleep ${duration}`,
});

/** The first wave: priorities across two tenants, a flaky job, a job that times out, a delayed job. */
export function firstWave(now: Date): DemoJob[] {
  return [
    sleepJob("team-a", "ingest-orders", "2s", "high"),
    sleepJob("team-a", "resize-images", "3s", "normal"),
    sleepJob("team-a", "nightly-report", "4s", "low"),
    sleepJob("team-a", "fraud-check", "1500ms", "critical"),
    sleepJob("team-b", "send-invoices", "2s", "normal"),
    sleepJob("team-b", "rebuild-index", "3s", "low"),
    sleepJob("team-b", "charge-cards", "1s", "critical"),
    { job: job("team-a", "say-hello", "echo", { message: "hello from Helios" }), expect: "Succeeded", note: "echo" },
    {
      job: job("team-b", "flaky-sync", "fail", { times: 2 }, { retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 4 } }),
      expect: "Succeeded",
      note: "fails twice, retried with backoff, then succeeds",
    },
    {
      job: job("team-b", "stuck-export", "sleep", { duration: "30s" }, { timeoutSeconds: 3, retry: { maxRetries: 1, backoffSeconds: 1, maxBackoffSeconds: 2 } }),
      expect: "Failed",
      note: "runs past its 3 s timeout twice: aborted, retried once, then Failed",
    },
    {
      job: job("team-a", "delayed-digest", "echo", { message: "sent later" }, { notBefore: new Date(now.getTime() + 20_000).toISOString().replace(/\.\d+Z$/, "Z") }),
      expect: "Succeeded",
      note: "notBefore +20 s",
      measureLatency: false,
    },
  ];
}

/** Submitted during maintenance mode: they wait until dispatch resumes. */
export function maintenanceWave(): DemoJob[] {
  return [sleepJob("team-a", "during-maintenance-1", "1s", "high"), sleepJob("team-b", "during-maintenance-2", "1s", "normal")].map(
    (d) => ({ ...d, note: `${d.note}, submitted while paused`, measureLatency: false }),
  );
}

/** Long jobs on team-a: one agent running them is killed, and they finish on the other. */
export function recoveryWave(): DemoJob[] {
  return [sleepJob("team-a", "long-migration-1", "6s", "high"), sleepJob("team-a", "long-migration-2", "6s", "high")];
}
