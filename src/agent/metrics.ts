// An agent's Prometheus metrics, read from its stats at scrape time (nothing to update on the job path).
import { Counter, Gauge, type Registry } from "prom-client";
import type { AgentStats } from "./types.js";

type FinishedOutcome = "succeeded" | "failed" | "released" | "dropped";
const OUTCOMES: readonly FinishedOutcome[] = ["succeeded", "failed", "released", "dropped"];

/** Registers `helios_agent_*` families on `registry`, each collected from `stats()` when scraped. */
export function registerAgentMetrics(registry: Registry, stats: () => AgentStats): void {
  const gauge = (name: string, help: string, value: (s: AgentStats) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(stats()));
      },
    });
  };
  gauge("helios_agent_jobs_running", "Attempts this agent is running now.", (s) => s.running);
  gauge("helios_agent_jobs_waiting", "Jobs assigned to this agent that wait for a free slot.", (s) => s.waiting);
  gauge("helios_agent_capacity", "Attempts this agent may run at once (spec.maxConcurrency, capped by flags).", (s) => s.capacity);
  gauge("helios_agent_draining", "1 while the agent takes no new work (spec.drain or shutting down).", (s) => (s.draining ? 1 : 0));
  // The stats are cumulative counts: each scrape reports them as they are.
  const counter = (name: string, help: string, value: (s: AgentStats) => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(stats()));
      },
    });
  };
  counter("helios_agent_attempts_started_total", "Attempts this agent started.", (s) => s.started);
  new Counter<"outcome">({
    name: "helios_agent_attempts_finished_total",
    help: "Attempts this agent finished, by outcome (released: handed back; dropped: fenced off).",
    labelNames: ["outcome"],
    registers: [registry],
    collect() {
      const s = stats();
      this.reset();
      for (const outcome of OUTCOMES) this.inc({ outcome }, s[outcome]);
    },
  });
  counter("helios_agent_lease_renewals_total", "Lease renewals (heartbeats) this agent wrote.", (s) => s.leaseRenewals);
}
