// Heartbeats cost no Agent writes: 20 agents with the default 40 s lease and the real operator (default
// 90 s stale timeout) in steady state for HEARTBEAT_MINUTES (default 10), writes counted by the
// apiserver itself. `make test` has a 15-second version with 2 s leases (agent/health.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, type HeliosAgent } from "../../src/agent/index.js";
import { silentLogger } from "../../src/runtime/log/index.js";
import { diffRequestTotals, isWrite, scrapeRequestTotals } from "../../hack/control-plane/index.js";
import { clients, waitFor } from "../integration/agent/support.js";
import { startOperator, type RunningOperator } from "../integration/jobs/support.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../integration/support/cluster.js";

const MINUTES = Number(process.env["HEARTBEAT_MINUTES"] ?? "10");
const AGENTS = 20;
const LEASE_SECONDS = 40;
const kc = kubeConfig();
const c = clients(kc);
const fleet: HeliosAgent[] = [];
let operator: RunningOperator | undefined;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("heartbeats");
  const system = await createNamespace("heartbeats-system");
  operator = await startOperator([ns], system, { "agent-stale-timeout": "90s" }, "heartbeats-operator");
}, 120_000);

afterAll(async () => {
  await Promise.all(fleet.map((a) => a.drain(0)));
  await operator?.stop();
});

describe(`heartbeats: ${AGENTS} agents for ${MINUTES} min`, () => {
  it("renew their Leases and cause no write to any Agent", async () => {
    const names = Array.from({ length: AGENTS }, (_, i) => `steady-${i}`);
    for (const name of names) {
      fleet.push(createAgent({ name, namespace: ns, handlers: { echo: () => Promise.resolve({}) }, kubeConfig: kc, leaseDurationSeconds: LEASE_SECONDS, log: silentLogger() }));
    }
    await Promise.all(fleet.map((a) => a.start()));
    const phases = async () => new Map((await c.agents.list({ namespace: ns })).items.map((a) => [a.metadata.name, a.status?.phase]));
    await waitFor(`${AGENTS} agents Ready`, async () => {
      const now = await phases();
      return names.every((n) => now.get(n) === "Ready");
    }, 30_000);

    const before = await scrapeRequestTotals(kubeconfigPath());
    const renewalsBefore = fleet.reduce((n, a) => n + a.stats.leaseRenewals, 0);
    console.info(`[heartbeats] ${AGENTS} agents Ready; steady state for ${MINUTES} min`);
    const end = Date.now() + MINUTES * 60_000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(60_000, end - Date.now())));
      console.info(`[heartbeats] ${Math.round((MINUTES * 60_000 - (end - Date.now())) / 60_000)} min`);
    }
    // Renewals read before the closing scrape: every one counted has reached the apiserver's metric.
    const renewals = fleet.reduce((n, a) => n + a.stats.leaseRenewals, 0) - renewalsBefore;
    const delta = diffRequestTotals(before, await scrapeRequestTotals(kubeconfigPath()));
    const leaseWrites = delta.filter((d) => d.resource === "leases" && isWrite(d)).reduce((n, d) => n + d.count, 0);
    // Every write to Agents (the object or its status) and by any verb: heartbeats must cause none.
    const agentWrites = delta.filter((d) => d.resource === "agents" && isWrite(d));
    console.info(`[heartbeats] ${renewals} lease renewals (${leaseWrites} lease writes), Agent writes: ${JSON.stringify(agentWrites)}`);

    expect(agentWrites).toEqual([]);
    // Renewed every quarter of the lease: 6 a minute per agent (allow for the timer's drift).
    const expected = AGENTS * MINUTES * (60 / (LEASE_SECONDS / 4));
    expect(renewals).toBeGreaterThanOrEqual(expected * 0.9);
    expect(leaseWrites).toBeGreaterThanOrEqual(renewals);
    const now = await phases();
    expect(names.filter((n) => now.get(n) !== "Ready")).toEqual([]);
  }, (MINUTES + 5) * 60_000);
});
