// Agents leave no garbage, with real `helios operator` and `helios agent` processes: out of a pod the
// operator deletes an agent Offline past --agent-gc-after (audited; the garbage collector takes its
// Lease), and leaves an agent owned by a Pod to the collector, which removes it and its Lease with the Pod.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../hack/control-plane/index.js";
import type { Agent } from "../../../src/api/index.js";
import { isApiError, ResourceClient, type KubeObject, type ResourceType } from "../../../src/runtime/client/index.js";
import { auditClient } from "../audit/support.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { CLI, clients, spawnAgent, waitFor } from "./support.js";

const PODS: ResourceType = { group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true };
const SERVICE_ACCOUNTS: ResourceType = { group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true };
const GC_AFTER = "3s";
/**
 * The garbage collector follows owner references of a kind only once it watches that kind: it picks up
 * CRDs applied after it started on its 30 s discovery resync, so the first cascade through an Agent
 * may wait that long.
 */
const COLLECTOR_MS = 90_000;

const kc = kubeConfig();
const c = clients(kc);
/** The part of a Pod these tests write. */
interface Pod extends KubeObject {
  spec: { serviceAccountName: string; automountServiceAccountToken: boolean; containers: { name: string; image: string }[] };
}
const pods = new ResourceClient<Pod>(c.transport, PODS);
const audit = auditClient(kc);
let ns: string;
let operator: ChildProcess | undefined;
let operatorLog = "";
let metricsPort = 0;
const agents: ReturnType<typeof spawnAgent>[] = [];

beforeAll(async () => {
  ns = await createNamespace("agent-gc");
  // The pods' own ServiceAccount: with the ServiceAccount admission plugin on, a pod needs one that exists.
  await new ResourceClient<KubeObject>(c.transport, SERVICE_ACCOUNTS).create({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "gc-pods", namespace: ns } });
  metricsPort = await freePort();
  operator = spawn(
    process.execPath,
    [CLI, "operator", "--kubeconfig", kubeconfigPath(), "--namespace", ns, "--operator-namespace", ns, "--agent-stale-timeout", "3s",
      "--agent-gc-after", GC_AFTER, "--metrics-bind-address", `127.0.0.1:${metricsPort}`, "--health-probe-bind-address", "0", "--log-level", "warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  operator.stdout?.on("data", (d: Buffer) => (operatorLog += d.toString()));
  operator.stderr?.on("data", (d: Buffer) => (operatorLog += d.toString()));
}, 300_000);

afterAll(async () => {
  for (const agent of agents) agent.child.kill("SIGKILL");
  if (operator && operator.exitCode === null) {
    const exited = new Promise((r) => operator?.once("exit", r));
    operator.kill("SIGTERM");
    await exited;
  }
  await kubectl(["delete", "namespace", ns, "--wait=false"]);
});

/** A Pod that never runs (no kubelet here): it only has to exist, as the owner of an Agent. */
async function createPod(name: string): Promise<{ name: string; uid: string }> {
  const pod = await pods.create({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns },
    spec: { serviceAccountName: "gc-pods", automountServiceAccountToken: false, containers: [{ name: "agent", image: "helios:test" }] },
  });
  return { name, uid: pod.metadata?.uid ?? "" };
}

/** `helios agent` NAME with a short lease; in a pod when `pod` is given (POD_* as the downward API sets them). */
function startAgent(name: string, pod?: { name: string; uid: string }): ReturnType<typeof spawnAgent> {
  const env = pod === undefined ? { POD_NAME: undefined, POD_UID: undefined, POD_NAMESPACE: undefined } : { POD_NAME: pod.name, POD_UID: pod.uid, POD_NAMESPACE: ns };
  const agent = spawnAgent(["--name", name, "--namespace", ns, "--kubeconfig", kubeconfigPath(), "--lease-duration", "2s", "--log-level", "warn"], env);
  agents.push(agent);
  return agent;
}

async function phase(name: string): Promise<string | undefined> {
  return (await c.agents.get({ namespace: ns, name })).status?.phase;
}

/** True once `get` answers 404. */
async function gone(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return false;
  } catch (err) {
    if (isApiError(err, "NotFound")) return true;
    throw err;
  }
}

async function kill(agent: ReturnType<typeof spawnAgent>): Promise<void> {
  agent.child.kill("SIGKILL");
  await agent.exited;
}

/** helios_agent_last_offline_timestamp_seconds of the test's namespace, as the operator exports it. */
async function lastOffline(): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`helios_agent_last_offline_timestamp_seconds{namespace="${ns}"}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

const log = (): string => `(operator log: ${operatorLog.slice(-800)})`;

describe("agents leave no garbage", () => {
  it("out of a pod: the operator deletes an agent Offline past --agent-gc-after, audited, and its Lease goes too; an agent in a pod is left alone", async () => {
    // In a pod, Offline first: the operator must still leave it there after the other one is collected.
    const pod = await createPod("gc-kept");
    const inPod = startAgent("gc-kept", pod);
    await waitFor(`gc-kept Ready ${log()}`, async () => (await phase("gc-kept")) === "Ready", 30_000);
    await kill(inPod);
    await waitFor("gc-kept Offline", async () => (await phase("gc-kept")) === "Offline", 20_000);

    const outOfPod = startAgent("gc-out");
    await waitFor(`gc-out Ready ${log()}`, async () => (await phase("gc-out")) === "Ready", 30_000);
    const registered = await c.agents.get({ namespace: ns, name: "gc-out" });
    expect(registered.metadata.ownerReferences ?? []).toEqual([]);
    await c.leases.get({ namespace: ns, name: "gc-out" });
    await kill(outOfPod);
    const offline = await waitFor("gc-out Offline", async () => {
      const agent = await c.agents.get({ namespace: ns, name: "gc-out" });
      return agent.status?.phase === "Offline" ? agent : undefined;
    }, 20_000);
    expect(offline.status?.lastPhaseTransitionTime).toBeDefined();
    // The Offline alert's gauge: the latest of the Offline agents, from the persisted phase change.
    const offlineAt = Date.parse(offline.status?.lastPhaseTransitionTime ?? "") / 1000;
    await waitFor("the gauge at gc-out's Offline time", async () => (await lastOffline()) === offlineAt, 10_000);

    await waitFor(`gc-out deleted by the operator ${log()}`, () => gone(() => c.agents.get({ namespace: ns, name: "gc-out" })), 30_000);
    await waitFor("gc-out's Lease deleted by the garbage collector", () => gone(() => c.leases.get({ namespace: ns, name: "gc-out" })), COLLECTOR_MS);
    const entry = await waitFor("the agent-deleted audit entry", async () => {
      const chunks = (await audit.listAll({ namespace: ns })).items;
      return chunks.flatMap((chunk) => chunk.spec.entries).find((e) => e.action === "agent-deleted" && e.name === "gc-out");
    }, 30_000);
    expect(entry).toMatchObject({ kind: "Agent", uid: registered.metadata.uid, agent: "gc-out", reason: "OfflineTooLong", actor: "agent-health" });
    expect(entry.message).toContain(`longer than --agent-gc-after (${GC_AFTER})`);

    // gc-kept went Offline before gc-out and is past the bound too: only its Pod decides.
    const kept: Agent = await c.agents.get({ namespace: ns, name: "gc-kept" });
    expect(kept.status?.phase).toBe("Offline");
    expect(Date.parse(kept.status?.lastPhaseTransitionTime ?? "")).toBeLessThanOrEqual(Date.parse(offline.status?.lastPhaseTransitionTime ?? ""));
    await c.leases.get({ namespace: ns, name: "gc-kept" });
    const keptAt = Date.parse(kept.status?.lastPhaseTransitionTime ?? "") / 1000;
    await waitFor("the gauge back at gc-kept's Offline time", async () => (await lastOffline()) === keptAt, 10_000);
    const chunks = (await audit.listAll({ namespace: ns })).items;
    expect(chunks.flatMap((chunk) => chunk.spec.entries).filter((e) => e.action === "agent-deleted").map((e) => e.name)).toEqual(["gc-out"]);
  }, 240_000);

  it("in a pod: the Agent is owned by its Pod, and deleting the Pod removes the Agent and its Lease", async () => {
    const pod = await createPod("gc-pod");
    const agent = startAgent("gc-pod", pod);
    await waitFor(`gc-pod Ready ${log()} (agent log: ${agent.output().slice(-500)})`, async () => (await phase("gc-pod")) === "Ready", 30_000);
    const registered = await c.agents.get({ namespace: ns, name: "gc-pod" });
    expect(registered.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Pod", name: "gc-pod", uid: pod.uid, controller: false, blockOwnerDeletion: false }]);
    const lease = await c.leases.get({ namespace: ns, name: "gc-pod" });
    expect(lease.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Agent", name: "gc-pod", uid: registered.metadata.uid })]);

    // A pod never scheduled is deleted at once (no kubelet to wait for); the agent is still running.
    await pods.delete({ namespace: ns, name: "gc-pod" });
    await waitFor("the Agent deleted by the garbage collector", () => gone(() => c.agents.get({ namespace: ns, name: "gc-pod" })), COLLECTOR_MS);
    await waitFor("the Lease deleted by the garbage collector", () => gone(() => c.leases.get({ namespace: ns, name: "gc-pod" })), COLLECTOR_MS);
    await kill(agent);
  }, 240_000);
});
