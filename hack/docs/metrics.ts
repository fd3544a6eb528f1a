// docs/reference/metrics.md: every metric family the operator and the agent serve, read from registries
// built the way `helios operator` (buildOperator) and `helios agent --metrics-bind-address` build theirs.
import { pino } from "pino";
import { Counter, Gauge, Histogram, Summary, type Registry } from "prom-client";
import { registerAgentMetrics } from "../../src/agent/metrics.js";
import type { AgentStats } from "../../src/agent/index.js";
import { buildOperator } from "../../src/cli/commands/operator.js";
import type { ClusterAccess } from "../../src/runtime/client/index.js";
import { resolveOperatorConfig } from "../../src/runtime/config/index.js";
import { createRegistry } from "../../src/runtime/metrics/index.js";
import { code, page, table } from "./markdown.js";

export interface MetricDoc {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  readonly help: string;
}

/** Never contacted: building the operator creates clients and informers but starts nothing. */
const UNUSED_CLUSTER: ClusterAccess = {
  getCurrentCluster: () => ({ server: "https://127.0.0.1:1" }),
  applyToHTTPSOptions: () => Promise.resolve(),
};

function typeOf(metric: unknown): string {
  if (metric instanceof Counter) return "counter";
  if (metric instanceof Gauge) return "gauge";
  if (metric instanceof Histogram) return "histogram";
  if (metric instanceof Summary) return "summary";
  return "untyped";
}

/** prom-client's default process_* and nodejs_* families, which differ by platform and are not ours. */
function defaultMetricNames(): Set<string> {
  return new Set(createRegistry().getMetricsAsArray().map((m) => m.name));
}

function familiesOf(registry: Registry): MetricDoc[] {
  const defaults = defaultMetricNames();
  return registry
    .getMetricsAsArray()
    .filter((m) => !defaults.has(m.name))
    .map((m) => {
      const labels: unknown = "labelNames" in m ? m.labelNames : [];
      return { name: m.name, type: typeOf(m), labels: Array.isArray(labels) ? labels.map(String) : [], help: m.help };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The families `helios operator` registers before it starts. */
export function operatorMetrics(): MetricDoc[] {
  const config = resolveOperatorConfig({}, {});
  const manager = buildOperator(config, UNUSED_CLUSTER, pino({ enabled: false }));
  return familiesOf(manager.registry);
}

/** The families `helios agent` serves with `--metrics-bind-address`. */
export function agentMetrics(): MetricDoc[] {
  const registry = createRegistry();
  const stats: AgentStats = { running: 0, waiting: 0, capacity: 0, draining: false, started: 0, succeeded: 0, failed: 0, released: 0, dropped: 0, leaseRenewals: 0 };
  registerAgentMetrics(registry, () => stats);
  return familiesOf(registry);
}

function metricsTable(metrics: readonly MetricDoc[]): string {
  return table(["metric", "type", "labels", "help"], metrics.map((m) => [code(m.name), m.type, m.labels.map(code).join(", "), m.help]));
}

/** The metrics page. */
export function renderMetrics(): string {
  return page("Metrics", [
    "Generated from the registries the binaries build. Both also serve prom-client's default `process_*` and `nodejs_*` metrics. " +
      "What to alert on, and the alerts and dashboard the chart ships, are in [operations.md](../operations.md).",
    "## Operator",
    "Served on `--metrics-bind-address` (default `:8080`, HTTPS with `--metrics-secure`). The `helios_*` business gauges are computed by the leader only.",
    metricsTable(operatorMetrics()),
    "## Agent",
    "Served by `helios agent --metrics-bind-address` (off by default; the chart's agent pool serves it on `agents.metricsPort`).",
    metricsTable(agentMetrics()),
  ]);
}
