// The helios_* business metric families the job controllers observe into (one definition, shared).
import type { Counter, Histogram, Registry } from "prom-client";
import { heliosCounter, heliosHistogram } from "../../runtime/metrics/index.js";

/** Seconds from sub-second dispatch to hour-long queues. */
const WAIT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const RUN_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 10_800];
const CYCLE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Histograms and counters written by queue-priority, job-recovery and the job observer. */
export interface JobMetrics {
  /** Created → assigned, per assignment (`helios_job_schedule_latency_seconds`). */
  readonly scheduleLatency: Histogram<"namespace" | "queue" | "priority">;
  /** Last queued (or eligible) → assigned, per assignment (`helios_job_queue_wait_seconds`). */
  readonly queueWait: Histogram<"namespace" | "queue">;
  /** Started (or assigned) → finished, per job reaching a terminal phase (`helios_job_run_seconds`). */
  readonly runTime: Histogram<"namespace" | "queue" | "phase">;
  /** Retries counted by job recovery (`helios_job_retries_total`). */
  readonly retries: Counter<"namespace" | "queue" | "reason">;
  /** One dispatcher cycle: snapshot, plan and writes (`helios_dispatch_cycle_seconds`). */
  readonly dispatchCycle: Histogram<"result">;
  /** Assignments written (`helios_jobs_assigned_total`). */
  readonly assigned: Counter<"namespace" | "queue">;
}

/** Gets or creates the families on `registry` (idempotent: every controller may call it). */
export function jobMetrics(registry: Registry): JobMetrics {
  return {
    scheduleLatency: heliosHistogram(registry, {
      name: "helios_job_schedule_latency_seconds",
      help: "Seconds from a job's creation to its assignment, per assignment.",
      labelNames: ["namespace", "queue", "priority"],
      buckets: WAIT_BUCKETS,
    }),
    queueWait: heliosHistogram(registry, {
      name: "helios_job_queue_wait_seconds",
      help: "Seconds a job waited in Pending (since it was queued or became eligible) before assignment.",
      labelNames: ["namespace", "queue"],
      buckets: WAIT_BUCKETS,
    }),
    runTime: heliosHistogram(registry, {
      name: "helios_job_run_seconds",
      help: "Seconds from a job's start (or assignment) to its terminal phase.",
      labelNames: ["namespace", "queue", "phase"],
      buckets: RUN_BUCKETS,
    }),
    retries: heliosCounter(registry, {
      name: "helios_job_retries_total",
      help: "Retries scheduled by job recovery, by cause.",
      labelNames: ["namespace", "queue", "reason"],
    }),
    dispatchCycle: heliosHistogram(registry, {
      name: "helios_dispatch_cycle_seconds",
      help: "Duration of one dispatcher cycle (snapshot, plan, writes).",
      labelNames: ["result"],
      buckets: CYCLE_BUCKETS,
    }),
    assigned: heliosCounter(registry, {
      name: "helios_jobs_assigned_total",
      help: "Assignments written by the dispatcher.",
      labelNames: ["namespace", "queue"],
    }),
  };
}
