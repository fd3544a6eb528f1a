// Leases that are not agents' never reach the operator: 2 000 of them (1 500 like kube-node-lease's
// node heartbeats in a namespace of their own, 500 like other applications' leader Leases next to an
// agent), renewed every 10 s by this test, cost the real operator (in-process, built as `helios
// operator` builds it) no agent-health reconcile and no cache entry, while a real agent's labelled
// Lease is seen and keeps it Ready.
//
// Both namespaces are watched (--namespace), so nothing but the agent-label selector keeps the
// foreign Leases out. An operator watching all namespaces puts the same selector on its one
// cluster-wide watch; it is not run here because on the shared test cluster it would act on other
// files' leftover objects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import { AGENT_LABEL } from "../../../src/api/index.js";
import { AGENT_HEALTH_CONTROLLER } from "../../../src/controllers/agent-health/index.js";
import { CACHE_OBJECTS_METRIC } from "../../../src/controllers/shared/index.js";
import { LEASES, ResourceClient, Transport, type Lease } from "../../../src/runtime/client/index.js";
import type { Registry } from "../../../src/runtime/metrics/index.js";
import { ForeignLeases } from "../../../bench/lease-churn.js";
import { createNamespace, kubeConfig, kubectl } from "../support/cluster.js";
import { clients, startAgent, startOperator, waitFor, waitReady, type RunningOperator } from "../jobs/support.js";

const NODE_LEASES = 1_500;
const APP_LEASES = 500;
const RENEW_PERIOD_MS = 10_000;
const ROUNDS = 3;
const WRITERS = 8;

const kc = kubeConfig();
const c = clients(kc);
const leases = new ResourceClient<Lease>(new Transport(kc), LEASES);
let nodeNs: string;
let agentNs: string;
let systemNs: string;
let foreign: ForeignLeases;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;

/** Sum of a metric's samples whose labels include `match`. */
async function metricValue(registry: Registry, name: string, match: Readonly<Record<string, string>>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(match).every(([k, want]) => v.labels[k] === want)).reduce((n, v) => n + v.value, 0);
}

const cachedLeases = (registry: Registry): Promise<number> => metricValue(registry, CACHE_OBJECTS_METRIC, { informer: "leases" });
const agentHealthReconciles = (registry: Registry): Promise<number> => metricValue(registry, "controller_runtime_reconcile_total", { controller: AGENT_HEALTH_CONTROLLER });

beforeAll(async () => {
  [nodeNs, agentNs, systemNs] = await Promise.all([createNamespace("fl-node-lease"), createNamespace("fl-agents"), createNamespace("fl-system")]);
  // Created before the operator starts, so its first list would carry them too.
  foreign = await ForeignLeases.create(
    leases,
    [
      { namespace: nodeNs, count: NODE_LEASES, prefix: "node" },
      { namespace: agentNs, count: APP_LEASES, prefix: "app-leader", labels: { "app.kubernetes.io/name": "another-app" } },
    ],
    WRITERS,
  );
  // A stale timeout far above the agent's 1 s renewal period: the machine is loaded by the churn.
  operator = await startOperator([agentNs, nodeNs], systemNs, { "agent-stale-timeout": "20s" }, "foreign-leases-operator");
  agent = await startAgent(kc, { name: "real", namespace: agentNs });
  await waitReady(c, agentNs, ["real"], 60_000);
}, 240_000);

afterAll(async () => {
  await agent?.drain(0);
  await operator?.stop();
  await kubectl(["delete", "namespace", nodeNs, agentNs, systemNs, "--wait=false", "--ignore-not-found"]);
});

describe("foreign Leases", () => {
  it("sit beside the real agent's Lease, the only one the agent label selects", async () => {
    const labelled = (await leases.list({ namespace: agentNs, labelSelector: AGENT_LABEL })).items.map((l) => l.metadata.name);
    expect(labelled).toEqual(["real"]);
    expect(foreign.count).toBe(NODE_LEASES + APP_LEASES);
  });

  it(
    "renewed every 10 s cause no agent-health reconcile and no cache entry, and the real agent stays Ready",
    async () => {
      const registry = (operator as RunningOperator).registry;
      const real = agent as HeliosAgent;
      await waitFor("the operator to cache the real agent's Lease", async () => (await cachedLeases(registry)) === 1, 30_000, async () => `cached: ${await cachedLeases(registry)}`);
      const reconcilesBefore = await agentHealthReconciles(registry);
      const renewalsBefore = real.stats.leaseRenewals;

      const run = await foreign.churn(RENEW_PERIOD_MS, ROUNDS);

      const reconciles = (await agentHealthReconciles(registry)) - reconcilesBefore;
      const renewals = real.stats.leaseRenewals - renewalsBefore;
      const cached = await cachedLeases(registry);
      console.info(
        `[foreign-leases] ${run.renewals} foreign renewals in ${run.seconds.toFixed(1)} s (${(run.renewals / run.seconds).toFixed(0)}/s, ${run.lateRounds} late rounds); ` +
          `agent-health reconciles ${reconciles} for ${renewals} renewals of the real agent; leases cached ${cached}`,
      );
      expect(run.renewals).toBe(ROUNDS * foreign.count);
      // Only the real agent's Lease is cached: none of the 2 000 foreign ones.
      expect(cached).toBe(1);
      // agent-health runs for the real agent's renewals (and its stale-deadline timer), not for the churn.
      expect(renewals).toBeGreaterThan(0);
      expect(reconciles).toBeLessThanOrEqual(2 * renewals + 10);
      const seen = await c.agents.get({ namespace: agentNs, name: "real" });
      expect(seen.status?.phase).toBe("Ready");
      expect(await metricValue(registry, "helios_agent_transitions_total", { phase: "Offline" })).toBe(0);
    },
    240_000,
  );

  it("enters the cache when it gains the agent label and leaves it when it loses the label", async () => {
    const registry = (operator as RunningOperator).registry;
    const ref = { namespace: agentNs, name: "app-leader-0" };
    await leases.mergePatch(ref, { metadata: { labels: { [AGENT_LABEL]: "app-leader-0" } } });
    await waitFor("the newly labelled Lease cached", async () => (await cachedLeases(registry)) === 2, 30_000, async () => `cached: ${await cachedLeases(registry)}`);
    await leases.mergePatch(ref, { metadata: { labels: { [AGENT_LABEL]: null } } });
    await waitFor("the unlabelled Lease dropped", async () => (await cachedLeases(registry)) === 1, 30_000, async () => `cached: ${await cachedLeases(registry)}`);
  });
});
