// Agent rows: running/max counted from Jobs, heartbeats from Leases before status, quarantine left.
import { describe, expect, it } from "vitest";
import { agentViews, formatAgentTable, inflightByAgent, quarantineCell } from "../../../../src/cli/output/index.js";
import { agent, at, job, lease, T0 } from "./fixtures.js";

const now = T0 + 600_000;

describe("agent views", () => {
  const jobs = [
    job("j1", { phase: "Running", assignedAgent: "a1" }),
    job("j2", { phase: "Assigned", assignedAgent: "a1" }),
    job("j3", { phase: "Succeeded", assignedAgent: "a1" }),
    job("j4", { phase: "Pending", assignedAgent: "a1" }),
    job("j5", { phase: "Running", assignedAgent: "a1" }, {}, { namespace: "team-b" }),
  ];

  it("counts only Assigned and Running jobs of the same namespace, ignoring status.runningJobs", () => {
    expect(inflightByAgent(jobs).get("team-a/a1")).toBe(2);
    const [view] = agentViews([agent("a1", {}, { phase: "Ready", runningJobs: 7 })], jobs, []);
    expect(view?.running).toBe(2);
  });

  it("takes the heartbeat from the Lease renewTime, else from status", () => {
    const agents = [agent("a1", {}, { phase: "Ready", lastHeartbeatTime: at(1_000) }), agent("a2", {}, { phase: "Offline", lastHeartbeatTime: at(2_000) })];
    const views = agentViews(agents, [], [lease("a1", 590_000), lease("a2", 595_000, "elsewhere")]);
    expect(views.map((v) => [v.lastHeartbeat, v.heartbeatSource])).toEqual([
      [at(590_000), "lease"],
      [at(2_000), "status"],
    ]);
  });

  it("shows quarantine time left only while it lasts", () => {
    const [q] = agentViews([agent("a1", {}, { phase: "Quarantined", quarantinedUntil: at(660_000) })], [], []);
    expect(q && quarantineCell(q, now)).toBe("60s");
    expect(q && quarantineCell(q, T0 + 700_000)).toBe("-");
  });

  it("renders phase, capabilities, queues, running/max and heartbeat age", () => {
    const views = agentViews([agent("a1", { capabilities: ["gpu", "io"], queues: ["default", "fast"], drain: true }, { phase: "Ready" })], jobs, [lease("a1", 595_000)]);
    const [head, row] = formatAgentTable(views, { namespaces: false, wide: false, nowMs: now }).trimEnd().split("\n");
    expect(head).toMatch(/^NAME\s+PHASE\s+CAPABILITIES\s+QUEUES\s+RUNNING\s+HEARTBEAT\s+QUARANTINE\s+AGE$/);
    expect(row).toMatch(/^a1\s+Ready \(drain requested\)\s+gpu,io\s+default,fast\s+2\/2\s+5s ago\s+-\s+10m$/);
  });
});
