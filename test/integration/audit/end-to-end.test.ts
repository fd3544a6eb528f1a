// End to end: the operator's controllers and real agents run jobs; `helios audit --job` tells each story.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgent, builtinHandlers, type HeliosAgent } from "../../../src/agent/index.js";
import { AGENT_LABEL, AGENT_LEASE_SELECTOR, AGENT_TYPE, API_VERSION, JOB_TYPE, type Agent, type Job, type JobSpec } from "../../../src/api/index.js";
import type { AuditRow } from "../../../src/audit/index.js";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import { AGENT_HEALTH_CONTROLLER, createAgentHealthController } from "../../../src/controllers/agent-health/index.js";
import { CONTROLLERS } from "../../../src/controllers/index.js";
import { Informer } from "../../../src/runtime/cache/index.js";
import { EVENTS, LEASES, microTime, ResourceClient, Transport, type KubeEvent, type Lease } from "../../../src/runtime/client/index.js";
import { resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import { ApiEventRecorder } from "../../../src/runtime/events/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { auditWriter, helios } from "./support.js";

const kc = kubeConfig();
const transport = new Transport(kc);
const jobs = new ResourceClient<Job>(transport, JOB_TYPE);
const agents = new ResourceClient<Agent>(transport, AGENT_TYPE);
const leases = new ResourceClient<Lease>(transport, LEASES);
let ns: string;
let opNs: string;
const stops: (() => Promise<void>)[] = [];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function spec(type: string, payload: Record<string, unknown>, extra: Partial<JobSpec> = {}): JobSpec {
  return { type, payload, priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 2 }, ...extra };
}

async function submit(name: string, jobSpec: JobSpec): Promise<void> {
  await jobs.create({ apiVersion: API_VERSION, kind: "Job", metadata: { name, namespace: ns }, spec: jobSpec });
}

async function phaseOf(name: string): Promise<Job | undefined> {
  const job = await jobs.get({ namespace: ns, name });
  return job.status?.phase === "Succeeded" || job.status?.phase === "Failed" ? job : undefined;
}

async function startAgent(name: string, capabilities: string[]): Promise<HeliosAgent> {
  const agent = createAgent({ name, namespace: ns, capabilities, handlers: builtinHandlers(), kubeConfig: kc, leaseDurationSeconds: 4, log: silentLogger() });
  const stop = new AbortController();
  await agent.start(stop.signal);
  stops.push(async () => {
    stop.abort();
    await agent.stopped;
  });
  return agent;
}

// agent-health joins CONTROLLERS in its own change; until then this test runs it beside the operator,
// with its own audit writer, so the agent's side of the story reaches the same trail.
function agentHealthIfMissing(): void {
  if (CONTROLLERS.some((c) => c.name === AGENT_HEALTH_CONTROLLER)) return;
  const stop = new AbortController();
  const writer = auditWriter(kc, { maxChunkAgeMs: 500 });
  const informers = {
    agents: new Informer<Agent>(agents, { namespace: ns }),
    leases: new Informer<Lease>(leases, { namespace: ns, labelSelector: AGENT_LEASE_SELECTOR }),
    jobs: new Informer<Job>(jobs, { namespace: ns }),
  };
  const controller = createAgentHealthController({
    ...informers,
    transport,
    events: new ApiEventRecorder(new ResourceClient<KubeEvent>(transport, EVENTS), { reportingController: "helios.dev/operator", reportingInstance: "test" }),
    audit: writer,
    log: silentLogger(),
    config: { staleTimeoutMs: 3_000 },
  });
  const running = Promise.all([...Object.values(informers).map((i) => i.start(stop.signal)), controller.start(stop.signal)]);
  stops.push(async () => {
    stop.abort();
    await running;
    await writer.close();
  });
}

beforeAll(async () => {
  [ns, opNs] = await Promise.all([createNamespace("audit-e2e"), createNamespace("audit-e2e-system")]);
  const config = resolveOperatorConfig(
    { namespace: [ns, opNs], operatorNamespace: opNs, metricsBindAddress: "0", healthProbeBindAddress: "0", agentStaleTimeout: "3s" },
    {},
  );
  const manager = buildOperator(config, kc, silentLogger());
  const stop = new AbortController();
  const running = manager.start(stop.signal);
  stops.push(async () => {
    stop.abort();
    await running;
  });
  agentHealthIfMissing();
});

afterAll(async () => {
  // Agents first, then the operator, whose writer flushes the last decisions on stop.
  for (const stop of stops.reverse()) await stop();
  await kubectl(["delete", "namespace", ns, opNs, "--wait=false"]);
});

async function history(job: string): Promise<AuditRow[]> {
  const out = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", ns, "--job", job, "-o", "json"]);
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as AuditRow[];
}

describe("audit end to end", () => {
  it("records a succeeded job, a retried job and a job whose agent died, readable with helios audit --job", async () => {
    // A "dead" agent: its Lease is renewed (by this test) until job-dead is assigned to it, then
    // never again, so the 3 s stale timeout cannot run out before the assignment on a slow machine.
    await agents.create({ apiVersion: API_VERSION, kind: "Agent", metadata: { name: "agent-dead", namespace: ns }, spec: { capabilities: ["gpu"], queues: ["default"], maxConcurrency: 1, drain: false } });
    const lease = await leases.create({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "agent-dead", namespace: ns, labels: { [AGENT_LABEL]: "agent-dead" } },
      spec: { holderIdentity: "agent-dead/gone", leaseDurationSeconds: 4, acquireTime: microTime(new Date()), renewTime: microTime(new Date()) },
    });
    let renewing = Promise.resolve(lease);
    const heartbeat = setInterval(() => {
      renewing = renewing.then((l) => leases.replace({ ...l, spec: { ...l.spec, renewTime: microTime(new Date()) } })).catch(() => leases.get({ namespace: ns, name: "agent-dead" }));
    }, 500);
    try {
      await waitFor("agent-dead Ready", async () => ((await agents.get({ namespace: ns, name: "agent-dead" })).status?.phase === "Ready" ? true : undefined), 20_000);
      await submit("job-dead", spec("echo", { message: "hi" }, { requiredCapabilities: ["gpu"] }));
      await waitFor("job-dead assigned to agent-dead", async () => ((await jobs.get({ namespace: ns, name: "job-dead" })).status?.assignedAgent === "agent-dead" ? true : undefined));
    } finally {
      clearInterval(heartbeat);
      await renewing.catch(() => undefined);
    }

    await startAgent("agent-a", []);
    await startAgent("agent-gpu", ["gpu"]);
    await submit("job-ok", spec("echo", { message: "hello" }));
    await submit("job-retry", spec("fail", { times: 1 }));
    for (const name of ["job-ok", "job-retry", "job-dead"]) {
      const done = await waitFor(`${name} finished`, () => phaseOf(name));
      expect(done.status?.phase).toBe("Succeeded");
    }
    // Stop everything so every writer flushes, then read the trail as a user would.
    for (const stop of stops.splice(0).reverse()) await stop();

    const ok = await history("job-ok");
    expect(ok.map((r) => r.action)).toContain("assigned");
    expect(ok.at(-1)?.action).toBe("succeeded");

    const retry = await history("job-retry");
    const attempts = retry.filter((r) => r.action === "assigned").map((r) => r.attempt);
    expect(attempts).toEqual([1, 2]);
    const between = retry.slice(retry.findIndex((r) => r.action === "assigned") + 1, retry.findLastIndex((r) => r.action === "assigned"));
    expect(between.some((r) => r.action === "retried" || r.action === "requeued")).toBe(true);
    expect(retry.at(-1)?.action).toBe("succeeded");

    const dead = await history("job-dead");
    expect(dead[0]).toMatchObject({ action: "assigned", agent: "agent-dead", attempt: 1 });
    const requeue = dead.find((r) => r.action === "requeued" || r.action === "retried");
    expect(requeue).toBeDefined();
    expect(dead.filter((r) => r.action === "assigned").map((r) => r.agent)).toEqual(["agent-dead", "agent-gpu"]);
    expect(dead.at(-1)?.action).toBe("succeeded");
    const out = await helios(["audit", "--kubeconfig", kubeconfigPath(), "-n", ns, "--agent", "agent-dead", "--action", "agent-offline", "-o", "json"]);
    expect((JSON.parse(out.stdout) as AuditRow[]).length).toBeGreaterThanOrEqual(1);
  });
});
