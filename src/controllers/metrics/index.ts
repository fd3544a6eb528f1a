// Business metrics (helios_*): gauges computed from the shared caches at scrape time, and the job
// observer that records agent-reported facts (started, succeeded) and run times. Leader only.
import type { ControllerRegistration, OperatorContext } from "../operator-context.js";
import { jobMetrics } from "../shared/index.js";
import { MetricsCollector, METRICS_RUNNABLE } from "./collector.js";

export { MetricsCollector, METRICS_RUNNABLE, type MetricsCollectorDeps } from "./collector.js";
export { agentGauges, jobGauges, jobTransition, lastOfflineGauges, type JobGauges, type JobTransition, type Sample } from "./gauges.js";

export function metricsCollector(ctx: OperatorContext): MetricsCollector {
  return new MetricsCollector({
    jobs: ctx.informers.jobs,
    agents: ctx.informers.agents,
    registry: ctx.registry,
    metrics: jobMetrics(ctx.registry),
    audit: ctx.audit,
    clock: ctx.clock,
  });
}

export const metricsRegistration: ControllerRegistration = {
  name: METRICS_RUNNABLE,
  setup: (ctx) => [metricsCollector(ctx)],
};
