// The business-metrics runnable: helios_* gauges computed from the caches at scrape time, and the
// agent-reported facts (started, succeeded) turned into audit entries and run-time observations.
//
// It runs only on the leader (like the controllers), so a standby exports no business metrics and
// dashboards aggregate with max(); on losing leadership the gauges are emptied.
import type { Gauge, Registry } from "prom-client";
import type { Agent } from "../../api/index.js";
import type { AuditSink } from "../../audit/index.js";
import type { SharedInformer } from "../../runtime/cache/index.js";
import type { Runnable } from "../../runtime/manager/index.js";
import { heliosGauge } from "../../runtime/metrics/index.js";
import type { Clock } from "../../runtime/queue/index.js";
import { queueOf, type JobMetrics, type CachedJob } from "../shared/index.js";
import { agentGauges, jobGauges, jobTransition, lastOfflineGauges, type Sample } from "./gauges.js";

export const METRICS_RUNNABLE = "helios-metrics";

export interface MetricsCollectorDeps {
  readonly jobs: Pick<SharedInformer<CachedJob>, "store" | "addEventHandler">;
  readonly agents: Pick<SharedInformer<Agent>, "store">;
  readonly registry: Registry;
  readonly metrics: JobMetrics;
  readonly audit: AuditSink;
  readonly clock: Pick<Clock, "now">;
}

/** Leader-only Runnable; `start` resolves when its signal aborts. */
export class MetricsCollector implements Runnable {
  readonly name = METRICS_RUNNABLE;
  readonly needsLeaderElection = true;
  readonly #deps: MetricsCollectorDeps;
  readonly #resets: (() => void)[];
  #active = false;

  constructor(deps: MetricsCollectorDeps) {
    this.#deps = deps;
    const { registry, clock } = deps;
    const active = (): boolean => this.#active;
    // Each scrape recomputes every gauge from one pass over the cache; the three job gauges share it.
    let lastJobs: { at: number; value: ReturnType<typeof jobGauges> } | undefined;
    const jobsNow = (): ReturnType<typeof jobGauges> => {
      const now = clock.now();
      if (lastJobs === undefined || lastJobs.at !== now) lastJobs = { at: now, value: jobGauges(deps.jobs.store.list(), now) };
      return lastJobs.value;
    };
    const gauge = <L extends string>(name: string, help: string, labelNames: L[], read: () => Sample<L>[]): Gauge<L> =>
      heliosGauge<L>(registry, {
        name,
        help,
        labelNames,
        collect(this: Gauge<L>) {
          this.reset();
          if (!active()) return;
          for (const s of read()) this.set(s.labels, s.value);
        },
      });
    const gauges = [
      gauge("helios_jobs", "Jobs in the operator's cache by namespace, queue and phase.", ["namespace", "queue", "phase"], () => jobsNow().jobs),
      gauge("helios_queue_depth", "Pending jobs by namespace, queue and priority class.", ["namespace", "queue", "priority"], () => jobsNow().queueDepth),
      gauge(
        "helios_queue_oldest_seconds",
        "Seconds the longest-waiting eligible Pending job of a queue has waited.",
        ["namespace", "queue"],
        () => jobsNow().queueOldest,
      ),
      gauge("helios_agents", "Agents by namespace and phase.", ["namespace", "phase"], () => agentGauges(deps.agents.store.list())),
      gauge(
        "helios_agent_last_offline_timestamp_seconds",
        "Unix time the namespace's most recently Offline agent (of those Offline now) went Offline.",
        ["namespace"],
        () => lastOfflineGauges(deps.agents.store.list()),
      ),
    ];
    this.#resets = gauges.map((g) => () => g.reset());
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#active = true;
    const unsubscribe = this.#deps.jobs.addEventHandler({ onUpdate: (oldJob, newJob) => this.#observe(oldJob, newJob) });
    try {
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    } finally {
      unsubscribe();
      this.#active = false;
      for (const reset of this.#resets) reset();
    }
  }

  #observe(oldJob: CachedJob, newJob: CachedJob): void {
    const t = jobTransition(oldJob, newJob);
    if (t === undefined) return;
    const namespace = newJob.metadata.namespace ?? "";
    const base = {
      namespace,
      kind: "Job",
      name: newJob.metadata.name ?? "",
      ...(newJob.metadata.uid === undefined ? {} : { uid: newJob.metadata.uid }),
      ...(newJob.status?.attempt === undefined ? {} : { attempt: newJob.status.attempt }),
      ...(oldJob.status?.assignedAgent === undefined ? {} : { agent: oldJob.status.assignedAgent }),
    };
    // Agents report facts; the operator records them (an agent has no audit sink).
    if (t.started) this.#deps.audit.record({ ...base, action: "started", reason: "Started", message: "the agent started the attempt", actor: "agent" });
    if (t.finished === undefined) return;
    if (t.runSeconds !== undefined) this.#deps.metrics.runTime.observe({ namespace, queue: queueOf(newJob), phase: t.finished }, t.runSeconds);
    if (t.finished === "Succeeded") this.#deps.audit.record({ ...base, action: "succeeded", reason: "Succeeded", message: "the agent reported success", actor: "agent" });
  }
}
