// The agent's metrics report its stats as they are at scrape time.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { AgentStats } from "../../../src/agent/index.js";
import { registerAgentMetrics } from "../../../src/agent/metrics.js";

const stats = (over: Partial<AgentStats> = {}): AgentStats => ({
  running: 0,
  waiting: 0,
  capacity: 4,
  draining: false,
  started: 0,
  succeeded: 0,
  failed: 0,
  released: 0,
  dropped: 0,
  leaseRenewals: 0,
  ...over,
});

describe("agent metrics", () => {
  it("reports the stats of each scrape, counters as their cumulative totals", async () => {
    const registry = new Registry();
    let current = stats({ running: 2, started: 5, succeeded: 3, leaseRenewals: 7 });
    registerAgentMetrics(registry, () => current);
    const first = await registry.metrics();
    expect(first).toContain("helios_agent_jobs_running 2");
    expect(first).toContain("helios_agent_capacity 4");
    expect(first).toContain("helios_agent_draining 0");
    expect(first).toContain("helios_agent_attempts_started_total 5");
    expect(first).toContain('helios_agent_attempts_finished_total{outcome="succeeded"} 3');
    expect(first).toContain("helios_agent_lease_renewals_total 7");
    current = stats({ running: 0, draining: true, started: 6, succeeded: 4, failed: 2, leaseRenewals: 9 });
    const second = await registry.metrics();
    expect(second).toContain("helios_agent_jobs_running 0");
    expect(second).toContain("helios_agent_draining 1");
    expect(second).toContain('helios_agent_attempts_finished_total{outcome="succeeded"} 4');
    expect(second).toContain('helios_agent_attempts_finished_total{outcome="failed"} 2');
    expect(second).toContain("helios_agent_lease_renewals_total 9");
  });
});
