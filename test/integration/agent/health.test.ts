// agent-health against the real apiserver: the `helios agent` CLI going Ready, Offline on SIGKILL and back,
// skewed lease clocks, quarantine with half-open recovery, Events, drain on SIGTERM, and no status writes
// for heartbeats.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_LABEL, formatTime, type Agent } from "../../../src/api/index.js";
import { createAgent, type HeliosAgent } from "../../../src/agent/index.js";
import { AGENT_REASONS } from "../../../src/controllers/agent-health/index.js";
import { isApiError, microTime, type Lease } from "../../../src/runtime/client/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { diffRequestTotals, isWrite, scrapeRequestTotals } from "../../../hack/control-plane/index.js";
import { freePort } from "../chaos/support/processes.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { clients, createAssigned, jobSpec, spawnAgent, startAgentHealth, waitFor } from "./support.js";

const STALE_MS = 3000;
const COOLDOWN_MS = 3000;
const kc = kubeConfig();
const c = clients(kc);
let ns: string;
let health: Awaited<ReturnType<typeof startAgentHealth>> | undefined;
const inProcess: HeliosAgent[] = [];

const auditRecords = () => health?.audit.records ?? [];
const agentObj = (name: string): Promise<Agent> => c.agents.get({ namespace: ns, name });
// Read with the API client, not kubectl: the timing bounds below are agent-health's, and a kubectl
// process per poll costs up to a second on a loaded machine ("" before the Agent exists).
async function phase(name: string): Promise<string> {
  try {
    return (await agentObj(name)).status?.phase ?? "";
  } catch (err) {
    if (isApiError(err, "NotFound")) return "";
    throw err;
  }
}
const readyReason = async (name: string) => (await agentObj(name)).status?.conditions?.find((x) => x.type === "Ready")?.reason;

beforeAll(async () => {
  // The CLI tests run the compiled program, built by the global setup.
  expect(existsSync("dist/src/cli/commands/agent.js")).toBe(true);
  ns = await createNamespace("agent-health");
  health = await startAgentHealth(kc, ns, { staleTimeoutMs: STALE_MS, baseCooldownMs: COOLDOWN_MS, failureThreshold: 3 });
}, 300_000);

afterAll(async () => {
  await Promise.all(inProcess.map((a) => a.drain(0)));
  await health?.stop();
});

function cliArgs(name: string, extra: string[] = []): string[] {
  return ["--name", name, "--namespace", ns, "--kubeconfig", kubeconfigPath(), "--lease-duration", "2s", "--log-level", "warn", ...extra];
}

describe("agent-health with the helios agent CLI", () => {
  it("shows Ready within 2 s, Offline within stale timeout + one check after SIGKILL, Ready again on restart", async () => {
    const metricsPort = await freePort();
    const first = spawnAgent(cliArgs("cli-a", ["--capabilities", "gpu,cpu", "--queues", "default,batch", "--max-concurrency", "3", "--metrics-bind-address", `127.0.0.1:${metricsPort}`]));
    try {
      // Ready within 2 s of the agent registering; Node's start-up of the CLI (0.5-2 s on a busy
      // 2-core machine) comes before that and is bounded separately.
      await waitFor("cli-a registered", async () => (await kubectl(["get", "hagent", "cli-a", "-n", ns])).code === 0, 10_000);
      const registeredAt = Date.now();
      await waitFor("cli-a Ready", async () => (await phase("cli-a")) === "Ready", 5000);
      expect(Date.now() - registeredAt).toBeLessThan(2000);
      const table = await kubectl(["get", "hagent", "cli-a", "-n", ns]);
      // Only what stays true between status writes: phase, capabilities, max, age.
      expect(table.stdout).toMatch(/^NAME\s+PHASE\s+CAPABILITIES\s+MAX\s+AGE\n/);
      expect(table.stdout).toMatch(/cli-a\s+Ready\s+\["gpu","cpu"\]\s+3\s/);
      // --metrics-bind-address: process metrics and the agent's own.
      const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      // Taking the Lease is not a renewal: the first comes a quarter of the lease (500 ms) later.
      await waitFor("a lease renewal counted", async () => /^helios_agent_lease_renewals_total [1-9]\d*$/m.test(await scrape()), 5000);
      const metrics = await scrape();
      expect(metrics).toMatch(/^helios_agent_capacity 3$/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);

      first.child.kill("SIGKILL");
      await first.exited;
      const killedAt = Date.now();
      await waitFor("cli-a Offline", async () => (await phase("cli-a")) === "Offline", 10_000);
      // Stale after 3 s since the last renewal seen (at most one 500 ms period before the kill), plus one check.
      expect(Date.now() - killedAt).toBeLessThan(STALE_MS + 1000);
      expect(await readyReason("cli-a")).toBe(AGENT_REASONS.offline);
    } finally {
      first.child.kill("SIGKILL");
    }

    const second = spawnAgent(cliArgs("cli-a"));
    try {
      const restartedAt = Date.now();
      await waitFor("cli-a Ready again", async () => (await phase("cli-a")) === "Ready", 10_000);
      // This includes the CLI's start-up, unlike the first check.
      expect(Date.now() - restartedAt).toBeLessThan(5000);
      const described = await kubectl(["describe", "hagent", "cli-a", "-n", ns]);
      expect(described.stdout).toMatch(/AgentReady/);
      expect(described.stdout).toMatch(/AgentOffline/);
      expect(auditRecords().filter((r) => r.name === "cli-a").map((r) => r.action)).toEqual(["agent-online", "agent-offline", "agent-online"]);
    } finally {
      second.child.kill("SIGKILL");
      await second.exited;
    }
  });

  it("SIGTERM drains: unfinished jobs are handed back, the lease released, the agent Offline at once", async () => {
    const agent = spawnAgent(cliArgs("cli-drain", ["--max-concurrency", "2", "--drain-grace", "500ms", "--ack-delay", "200ms"]));
    await waitFor("cli-drain Ready", async () => (await phase("cli-drain")) === "Ready", 5000);
    await createAssigned(c, ns, "long-1", jobSpec("sleep", { duration: "60s" }), "cli-drain");
    await createAssigned(c, ns, "short-1", jobSpec("sleep", { duration: "100ms" }), "cli-drain");
    await waitFor("long-1 Running", async () => (await c.jobs.get({ namespace: ns, name: "long-1" })).status?.phase === "Running");
    await waitFor("short-1 Succeeded", async () => (await c.jobs.get({ namespace: ns, name: "short-1" })).status?.phase === "Succeeded");

    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const long = await c.jobs.get({ namespace: ns, name: "long-1" });
    expect(long.status?.attempts?.[0]).toMatchObject({ outcome: "Released", reason: "AgentDraining" });
    expect((await c.leases.get({ namespace: ns, name: "cli-drain" })).spec?.holderIdentity).toBe("");
    await waitFor("cli-drain Offline", async () => (await phase("cli-drain")) === "Offline", 2000);
    expect(await readyReason("cli-drain")).toBe(AGENT_REASONS.stopped);
  });
});

describe("agent-health judgement", () => {
  async function fakeAgent(name: string): Promise<Agent> {
    return c.agents.create({ apiVersion: "helios.dev/v1alpha1", kind: "Agent", metadata: { name, namespace: ns }, spec: { queues: ["default"], maxConcurrency: 1 } });
  }
  async function writeLease(name: string, renewTime: string, owner: Agent): Promise<void> {
    let current: Lease | undefined;
    try {
      current = await c.leases.get({ namespace: ns, name });
    } catch {
      current = undefined;
    }
    const body: Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...current?.metadata, name, namespace: ns, labels: { [AGENT_LABEL]: name }, ownerReferences: [{ apiVersion: "helios.dev/v1alpha1", kind: "Agent", name, uid: owner.metadata.uid ?? "" }] },
      spec: { holderIdentity: `${name}_skewed`, leaseDurationSeconds: 4, renewTime },
    };
    if (current === undefined) await c.leases.create(body);
    else await c.leases.replace(body);
  }

  it("judges skewed clocks by when renewTime changes, not by its value", async () => {
    const future = await fakeAgent("skew-future");
    const past = await fakeAgent("skew-past");
    // renewTime centuries off in both directions, advancing every 500 ms like a live agent.
    const base = { future: Date.parse("2200-01-01T00:00:00Z"), past: Date.parse("1971-01-01T00:00:00Z") };
    let tick = 0;
    let lastBeatAt = 0;
    const beat = async () => {
      tick++;
      lastBeatAt = Date.now();
      await writeLease("skew-future", microTime(new Date(base.future + tick * 1000)), future);
      await writeLease("skew-past", microTime(new Date(base.past + tick * 1000)), past);
    };
    await beat();
    await waitFor("both Ready", async () => (await phase("skew-future")) === "Ready" && (await phase("skew-past")) === "Ready", 3000);
    // Live for well past the stale timeout: neither looks stale though renewTime is decades ago for one.
    const until = Date.now() + STALE_MS + 1500;
    while (Date.now() < until) {
      await beat();
      expect(await phase("skew-past")).toBe("Ready");
      expect(await phase("skew-future")).toBe("Ready");
      await new Promise((r) => setTimeout(r, 500));
    }
    // The future one stops renewing: its renewTime is still "ahead" of everyone's clock, yet it goes Offline.
    const futureStoppedAt = lastBeatAt;
    const pastBeat = setInterval(() => void writeLease("skew-past", microTime(new Date(base.past + ++tick * 1000)), past).catch(() => undefined), 500);
    try {
      await waitFor("skew-future Offline", async () => (await phase("skew-future")) === "Offline", 10_000);
      // Not before the stale timeout counted from the last change the operator could have seen.
      expect(Date.now() - futureStoppedAt).toBeGreaterThanOrEqual(STALE_MS - 100);
      expect(await phase("skew-past")).toBe("Ready");
    } finally {
      clearInterval(pastBeat);
      // Gone, so that it does not turn Offline during the next test's steady window.
      await c.agents.delete({ namespace: ns, name: "skew-past" });
      await c.agents.delete({ namespace: ns, name: "skew-future" });
    }
  });

  it("quarantines after N failed attempts in a row, goes half-open after the cool-down, closes on a success; Events in describe", async () => {
    const agent = createAgent({
      name: "flaky",
      namespace: ns,
      handlers: { boom: () => Promise.reject(new Error("boom")), echo: (p) => Promise.resolve({ message: p["message"] }) },
      maxConcurrency: 3,
      kubeConfig: kc,
      leaseDurationSeconds: 2,
      log: silentLogger(),
    });
    inProcess.push(agent);
    await agent.start();
    await waitFor("flaky Ready", async () => (await phase("flaky")) === "Ready", 3000);
    for (let i = 1; i <= 3; i++) await createAssigned(c, ns, `boom-${i}`, jobSpec("boom"), "flaky");
    await waitFor("flaky Quarantined", async () => (await phase("flaky")) === "Quarantined", 5000);
    const quarantined = await agentObj("flaky");
    expect(quarantined.status).toMatchObject({ consecutiveFailures: 3, quarantineCount: 1 });
    const until = Date.parse(quarantined.status?.quarantinedUntil ?? "");
    expect(until - Date.now()).toBeGreaterThan(COOLDOWN_MS - 1500);

    // Cool-down over: Ready, but half-open (the dispatcher gives one job at a time).
    await waitFor("flaky half-open", async () => (await readyReason("flaky")) === AGENT_REASONS.halfOpen, COOLDOWN_MS + 3000);
    expect(Date.now()).toBeGreaterThanOrEqual(until - 1000);
    expect(await phase("flaky")).toBe("Ready");

    // A failed trial re-opens it with a doubled cool-down.
    await createAssigned(c, ns, "boom-trial", jobSpec("boom"), "flaky");
    await waitFor("flaky Quarantined again", async () => (await phase("flaky")) === "Quarantined", 5000);
    const again = await agentObj("flaky");
    expect(again.status?.quarantineCount).toBe(2);
    const secondUntil = Date.parse(again.status?.quarantinedUntil ?? "");
    expect(secondUntil - Date.now()).toBeGreaterThan(2 * COOLDOWN_MS - 2000);

    await waitFor("flaky half-open again", async () => (await readyReason("flaky")) === AGENT_REASONS.halfOpen, 2 * COOLDOWN_MS + 3000);
    await createAssigned(c, ns, "echo-trial", jobSpec("echo", { message: "ok" }), "flaky");
    await waitFor("flaky closed", async () => (await readyReason("flaky")) === AGENT_REASONS.ready, 5000);
    expect((await agentObj("flaky")).status?.consecutiveFailures).toBe(0);

    const described = (await kubectl(["describe", "hagent", "flaky", "-n", ns])).stdout;
    for (const reason of ["AgentReady", "AgentQuarantined", "AgentHalfOpen"]) expect(described).toContain(reason);
    expect(auditRecords().filter((r) => r.name === "flaky" && r.action === "agent-quarantined")).toHaveLength(2);
    expect(formatTime(new Date(secondUntil))).toBe(again.status?.quarantinedUntil);
  });

  it("spec.drain turns an agent Draining with an Event and an agent-drained audit entry; clearing it turns it Ready", async () => {
    const agent = createAgent({ name: "drained", namespace: ns, handlers: { echo: () => Promise.resolve({}) }, kubeConfig: kc, leaseDurationSeconds: 2, log: silentLogger() });
    inProcess.push(agent);
    await agent.start();
    await waitFor("drained Ready", async () => (await phase("drained")) === "Ready", 3000);
    const setDrain = (drain: boolean) => kubectl(["patch", "hagent", "drained", "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { drain } })]);
    expect((await setDrain(true)).code).toBe(0);
    await waitFor("drained Draining", async () => (await phase("drained")) === "Draining", 3000);
    expect((await setDrain(false)).code).toBe(0);
    await waitFor("drained Ready again", async () => (await phase("drained")) === "Ready", 3000);
    expect((await kubectl(["describe", "hagent", "drained", "-n", ns])).stdout).toContain("AgentDraining");
    expect(auditRecords().filter((r) => r.name === "drained").map((r) => r.action)).toEqual(["agent-online", "agent-drained", "agent-online"]);
    await agent.drain(0);
  });

  it("heartbeats of 20 agents cost no Agent status writes over a steady window", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `steady-${i}`);
    const fleet = names.map((name) =>
      createAgent({ name, namespace: ns, handlers: { echo: () => Promise.resolve({}) }, kubeConfig: kc, leaseDurationSeconds: 2, log: silentLogger() }),
    );
    inProcess.push(...fleet);
    await Promise.all(fleet.map((a) => a.start()));
    await waitFor("20 agents Ready", async () => {
      const list = await c.agents.list({ namespace: ns });
      return names.every((n) => list.items.find((a) => a.metadata.name === n)?.status?.phase === "Ready");
    }, 10_000);

    // 15 s stands in for the 10 minutes: with 2 s leases (renewed every 500 ms) that is ~600
    // renewals, as many as 20 agents with the default 40 s lease make in 10 minutes.
    // Renewals the agents counted between the two scrapes all reached the server inside the window.
    const renewals = () => fleet.reduce((n, a) => n + a.stats.leaseRenewals, 0);
    const before = await scrapeRequestTotals(kubeconfigPath());
    const renewalsBefore = renewals();
    await new Promise((r) => setTimeout(r, 15_000));
    const renewed = renewals() - renewalsBefore;
    const after = await scrapeRequestTotals(kubeconfigPath());
    const delta = diffRequestTotals(before, after);
    // The metric labels a PUT as verb "PUT" (older servers: "UPDATE"); count every write verb.
    const agentWrites = delta.filter((d) => d.resource === "agents" && d.subresource === "status" && isWrite(d));
    const leaseWrites = delta.filter((d) => d.resource === "leases" && isWrite(d)).reduce((n, d) => n + d.count, 0);
    expect(agentWrites).toEqual([]);
    // The window saw real heartbeats (~30 per agent; a loaded machine delays some), all on the Leases
    // (one per agent may have reached the server before the first scrape and been counted after it).
    expect(renewed).toBeGreaterThanOrEqual(20 * 10);
    expect(leaseWrites).toBeGreaterThanOrEqual(renewed - fleet.length);
  });
});
