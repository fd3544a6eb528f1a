// Controller metrics under controller-runtime's names, labelled by controller.
import type { Registry } from "prom-client";
import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from "../metrics/index.js";

/** The `result` label of `controller_runtime_reconcile_total`. */
export type ReconcileResultLabel = "success" | "error" | "requeue" | "requeue_after";

const RESULT_LABELS: readonly ReconcileResultLabel[] = ["success", "error", "requeue", "requeue_after"];

// controller-runtime's buckets: fine-grained below a second, then up to a minute.
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

function families(registry: Registry) {
  return {
    total: getOrCreateCounter(registry, {
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"] as const,
    }),
    errors: getOrCreateCounter(registry, {
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"] as const,
    }),
    terminal: getOrCreateCounter(registry, {
      name: "controller_runtime_terminal_reconcile_errors_total",
      help: "Total number of terminal reconciliation errors per controller",
      labelNames: ["controller"] as const,
    }),
    panics: getOrCreateCounter(registry, {
      name: "controller_runtime_reconcile_panics_total",
      help: "Total number of reconciliation panics per controller",
      labelNames: ["controller"] as const,
    }),
    time: getOrCreateHistogram(registry, {
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"] as const,
      buckets: RECONCILE_TIME_BUCKETS,
    }),
    maxConcurrent: getOrCreateGauge(registry, {
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"] as const,
    }),
    active: getOrCreateGauge(registry, {
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"] as const,
    }),
  };
}

/** Declares the controller families on `registry` (so /metrics lists them before any controller exists). */
export function registerControllerMetrics(registry: Registry): void {
  families(registry);
}

/** The metrics one controller writes. */
export interface ControllerMetrics {
  reconciled(result: ReconcileResultLabel, seconds: number): void;
  error(): void;
  terminalError(): void;
  panic(): void;
  maxConcurrentReconciles(n: number): void;
  workerStarted(): void;
  workerFinished(): void;
}

/** Metrics for the controller `controller`; zero-initialises its series as controller-runtime does. */
export function controllerMetrics(registry: Registry, controller: string): ControllerMetrics {
  const f = families(registry);
  const labels = { controller };
  for (const result of RESULT_LABELS) f.total.inc({ controller, result }, 0);
  f.errors.inc(labels, 0);
  f.terminal.inc(labels, 0);
  f.panics.inc(labels, 0);
  f.active.set(labels, 0);
  return {
    reconciled(result, seconds) {
      f.total.inc({ controller, result });
      f.time.observe(labels, seconds);
    },
    error: () => f.errors.inc(labels),
    terminalError: () => f.terminal.inc(labels),
    panic: () => f.panics.inc(labels),
    maxConcurrentReconciles: (n) => f.maxConcurrent.set(labels, n),
    workerStarted: () => f.active.inc(labels),
    workerFinished: () => f.active.dec(labels),
  };
}
