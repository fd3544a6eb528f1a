// Work-queue metrics under client-go's names, labelled `name` and `controller` like controller-runtime.
import type { Registry } from "prom-client";
import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from "../metrics/index.js";
import type { Clock } from "../clock/index.js";

type QueueLabel = "name" | "controller";

/** What a queue reports as items move through it; the no-op version is used without a registry. */
export interface QueueMetrics<T> {
  add(item: T): void;
  get(item: T): void;
  done(item: T): void;
  retry(): void;
}

// Read on scrape so the two "how long is work running" gauges are always current.
interface UnfinishedWorkProbe {
  readonly labels: Record<QueueLabel, string>;
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

const probes = new WeakMap<Registry, Set<UnfinishedWorkProbe>>();

// client-go buckets: 10 ns to ~1000 s by powers of ten.
const DURATION_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

function families(registry: Registry) {
  let live = probes.get(registry);
  if (live === undefined) {
    live = new Set();
    probes.set(registry, live);
  }
  const scraped = live;
  const labelNames: QueueLabel[] = ["name", "controller"];
  return {
    depth: getOrCreateGauge(registry, { name: "workqueue_depth", help: "Current depth of workqueue", labelNames }),
    adds: getOrCreateCounter(registry, {
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames,
    }),
    latency: getOrCreateHistogram(registry, {
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames,
      buckets: DURATION_BUCKETS,
    }),
    workDuration: getOrCreateHistogram(registry, {
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames,
      buckets: DURATION_BUCKETS,
    }),
    retries: getOrCreateCounter(registry, {
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames,
    }),
    unfinished: getOrCreateGauge(registry, {
      name: "workqueue_unfinished_work_seconds",
      help:
        "How many seconds of work has been done that is in progress and hasn't been observed by " +
        "work_duration. Large values indicate stuck threads.",
      labelNames,
      collect() {
        for (const p of scraped) this.set(p.labels, p.unfinishedWorkSeconds());
      },
    }),
    longest: getOrCreateGauge(registry, {
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds has the longest running processor for workqueue been running",
      labelNames,
      collect() {
        for (const p of scraped) this.set(p.labels, p.longestRunningProcessorSeconds());
      },
    }),
    live,
  };
}

/** Declares the work-queue families on `registry` (so /metrics lists them before any queue exists). */
export function registerQueueMetrics(registry: Registry): void {
  families(registry);
}

/** Metrics for one named queue; `name` labels every sample (controller-runtime: the controller name). */
export function queueMetrics<T>(registry: Registry, name: string, clock: Clock): QueueMetrics<T> {
  const f = families(registry);
  const labels = { name, controller: name };
  const addTimes = new Map<T, number>();
  const processingStart = new Map<T, number>();
  f.depth.set(labels, 0);
  f.adds.inc(labels, 0);
  f.retries.inc(labels, 0);
  f.live.add({
    labels,
    unfinishedWorkSeconds() {
      const now = clock.now();
      let total = 0;
      for (const start of processingStart.values()) total += now - start;
      return total / 1000;
    },
    longestRunningProcessorSeconds() {
      const now = clock.now();
      let longest = 0;
      for (const start of processingStart.values()) longest = Math.max(longest, now - start);
      return longest / 1000;
    },
  });
  return {
    add(item) {
      f.adds.inc(labels);
      f.depth.inc(labels);
      if (!addTimes.has(item)) addTimes.set(item, clock.now());
    },
    get(item) {
      f.depth.dec(labels);
      const now = clock.now();
      processingStart.set(item, now);
      const added = addTimes.get(item);
      if (added !== undefined) {
        f.latency.observe(labels, (now - added) / 1000);
        addTimes.delete(item);
      }
    },
    done(item) {
      const start = processingStart.get(item);
      if (start !== undefined) {
        f.workDuration.observe(labels, (clock.now() - start) / 1000);
        processingStart.delete(item);
      }
    },
    retry() {
      f.retries.inc(labels);
    },
  };
}

/** Metrics that record nothing, for queues built without a registry. */
export function noopQueueMetrics<T>(): QueueMetrics<T> {
  return { add() {}, get() {}, done() {}, retry() {} };
}
