// The operator's single prom-client Registry and get-or-create helpers for metrics declared on it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from "prom-client";

/** Options for {@link createRegistry}. */
export interface RegistryOptions {
  /** Also collect prom-client's default process and Node.js metrics (default true). */
  readonly processMetrics?: boolean;
}

/**
 * Creates the Registry the whole operator shares (one per process; tests make their own).
 * Metrics are registered on it explicitly rather than on prom-client's global registry so two
 * managers in one test process never collide.
 */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

type MetricKind = "counter" | "gauge" | "histogram";

// Re-registering a name is an error in prom-client, but several controllers and queues share
// one family (labelled by name), so the first caller creates it and later callers reuse it.
function existing(registry: Registry, name: string, kind: MetricKind, labelNames: readonly string[]) {
  const found = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  const ok =
    (kind === "counter" && found instanceof Counter) ||
    (kind === "gauge" && found instanceof Gauge) ||
    (kind === "histogram" && found instanceof Histogram);
  if (!ok) throw new Error(`metric ${name} is already registered with a different type`);
  // prom-client keeps labelNames on the instance; a mismatch would silently drop labels.
  const have: unknown = "labelNames" in found ? found.labelNames : [];
  if (!Array.isArray(have)) return found;
  if (have.join(",") !== labelNames.join(",")) {
    throw new Error(`metric ${name} is already registered with labels [${have.join(",")}]`);
  }
  return found;
}

/** Returns the counter named `config.name` on `registry`, creating it on first use. */
export function getOrCreateCounter<T extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<T>, "registers">,
): Counter<T> {
  const found = existing(registry, config.name, "counter", config.labelNames ?? []);
  if (found instanceof Counter) return found; // label names were checked above
  return new Counter<T>({ ...config, registers: [registry] });
}

/** Returns the gauge named `config.name` on `registry`, creating it on first use. */
export function getOrCreateGauge<T extends string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<T>, "registers">,
): Gauge<T> {
  const found = existing(registry, config.name, "gauge", config.labelNames ?? []);
  if (found instanceof Gauge) return found; // label names were checked above
  return new Gauge<T>({ ...config, registers: [registry] });
}

/** Returns the histogram named `config.name` on `registry`, creating it on first use. */
export function getOrCreateHistogram<T extends string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<T>, "registers">,
): Histogram<T> {
  const found = existing(registry, config.name, "histogram", config.labelNames ?? []);
  if (found instanceof Histogram) return found; // label names were checked above
  return new Histogram<T>({ ...config, registers: [registry] });
}

/** Prefix of every Helios business metric, keeping them apart from runtime and process metrics. */
export const HELIOS_METRIC_PREFIX = "helios_";

function assertHeliosName(name: string): void {
  if (!name.startsWith(HELIOS_METRIC_PREFIX)) {
    throw new Error(`business metric ${name} must start with ${HELIOS_METRIC_PREFIX}`);
  }
}

/** Declares (or reuses) a `helios_*` counter, e.g. `helios_jobs_assigned_total{namespace,queue}`. */
export function heliosCounter<T extends string>(
  registry: Registry,
  config: Omit<CounterConfiguration<T>, "registers">,
): Counter<T> {
  assertHeliosName(config.name);
  return getOrCreateCounter(registry, config);
}

/** Declares (or reuses) a `helios_*` gauge, e.g. `helios_jobs{namespace,phase}`. */
export function heliosGauge<T extends string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<T>, "registers">,
): Gauge<T> {
  assertHeliosName(config.name);
  return getOrCreateGauge(registry, config);
}

/** Declares (or reuses) a `helios_*` histogram, e.g. `helios_job_queue_wait_seconds{queue}`. */
export function heliosHistogram<T extends string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<T>, "registers">,
): Histogram<T> {
  assertHeliosName(config.name);
  return getOrCreateHistogram(registry, config);
}
