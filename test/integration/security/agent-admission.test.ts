// The agents' admission policies (on by default) with REAL agent identities: tokens of the chart's
// agent ServiceAccount bound to pods named after the agents (what a kubelet mounts), so the apiserver
// adds the pod name to the user info exactly as in a cluster. The chart is installed as a platform team
// would: the operator in its release namespace, the agents' identity in the tenant namespace it serves.
//
// First the whole system works under the policies and the chart's RBAC: the operator (as its chart
// ServiceAccount) and two `helios agent` processes, each with its pod-bound token, run jobs that
// succeed, fail and retry, and the invariant checker finds nothing wrong. Then each refusal, sent with
// those identities: the job-status rules, and every attack of issue 17's finding 1 (another agent's
// Lease and Agent, a sybil Agent and Lease, its own attempt record naming another agent, the leader
// Lease, its own quarantine), where RBAC alone would have let the write through, after RBAC granted
// it by mistake. The packaging test (test/integration/packaging/chart.test.ts) covers forward-only
// moves, the fencing token and retries with impersonation; not repeated here.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the chart is installed without the policies, and
// each policy refusal asserts that the write is then ACCEPTED (RBAC refusals stay).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_LOG_TYPE, JOB_TYPE, type AuditLog, type Job } from "../../../src/api/index.js";
import { readAuditTrail } from "../../../src/audit/index.js";
import { checkInvariants, formatViolations } from "../../../src/invariants/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { cliPath } from "../chaos/support/build.js";
import { AgentProcess, OperatorProcess, waitUntil, CHAOS_LOG_DIR } from "../chaos/support/processes.js";
import { kubeConfig, kubeconfigPath, kubectl, writeKubeconfigActingAs, type CommandResult } from "../support/cluster.js";
import {
  agentKubeconfig,
  expectPolicyRefusal,
  expectRbacRefusal,
  installRelease,
  ok,
  policiesEnforced,
  uninstall,
  withPolicy,
  type Release,
} from "./support.js";

const logDir = join(CHAOS_LOG_DIR, `security-${new Date().toISOString().replace(/[:.]/g, "")}`);
const kc = kubeConfig();
const jobs = new ResourceClient<Job>(new Transport(kc), JOB_TYPE);
const processes: (AgentProcess | OperatorProcess)[] = [];
const LEADER_LEASE = "helios-operator-leader";

let release: Release;
let other: Release;
/** Kubeconfigs of the tenant's agents (pod-bound tokens), a token bound to no pod, and another release's agent-a. */
const as: Record<"agent-a" | "agent-b" | "unbound" | "other-agent-a", string> = { "agent-a": "", "agent-b": "", unbound: "", "other-agent-a": "" };

/** PUTs the job's status with `change` applied, with the resourceVersion read, as the holder of `kubeconfig`. */
async function writeStatus(name: string, change: Record<string, unknown>, kubeconfig: string, extra: readonly string[] = []): Promise<CommandResult> {
  const job = await jobs.get({ namespace: release.tenant, name });
  const body = { ...job, status: { ...job.status, ...change } };
  return kubectl(["replace", "--subresource=status", "-f", "-", ...extra], { input: JSON.stringify(body), kubeconfig });
}

/** Creates a job and assigns `attempts` to `agent` the way the dispatcher does (as admin); the last one is current. */
async function assigned(name: string, agent: string, attempts = 1): Promise<void> {
  const created = await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name, namespace: release.tenant }, spec: { type: "echo" } } as Job);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const records = Array.from({ length: attempts }, (_, i) => ({ attempt: i + 1, agent, outcome: i + 1 < attempts ? "Requeued" : "", assignedAt: now, ...(i + 1 < attempts ? { reason: "AgentOffline" } : {}) }));
  await jobs.replaceStatus({ ...created, status: { phase: "Assigned", attempt: attempts, assignedAgent: agent, assignedAt: now, queuedAt: now, attempts: records } });
}

/** Sends `object` with `kubectl <verb>` (create, replace, or a server-side apply) as the holder of `kubeconfig`. */
function send(verb: "create" | "replace" | "apply", object: Record<string, unknown>, kubeconfig: string, extra: readonly string[] = []): Promise<CommandResult> {
  const args = verb === "apply" ? ["apply", "--server-side", "--field-manager=mallory", "--force-conflicts"] : [verb];
  return kubectl([...args, "-f", "-", ...extra], { input: JSON.stringify(object), kubeconfig });
}

const lease = (namespace: string, name: string, holderIdentity: string): Record<string, unknown> => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name, namespace },
  spec: { holderIdentity, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace("Z", "000Z") },
});
const agentObject = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: "helios.dev/v1alpha1",
  kind: "Agent",
  metadata: { name, namespace: release.tenant },
  spec,
});

/** The object as the admin reads it now (JSON), or undefined when it does not exist. */
async function read(kind: string, name: string, namespace: string): Promise<Record<string, unknown> | undefined> {
  const res = await kubectl(["get", kind, name, "-n", namespace, "-o", "json"]);
  return res.code === 0 ? (JSON.parse(res.stdout) as Record<string, unknown>) : undefined;
}

/** Grants the agents' ServiceAccount `rules` in `namespace` by mistake (an admin's extra Role), once RBAC answers yes. */
async function grantAgent(name: string, namespace: string, rules: Record<string, unknown>[], check: readonly string[]): Promise<void> {
  const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace }, rules };
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    subjects: [{ kind: "ServiceAccount", name: release.agentSa, namespace: release.tenant }],
  };
  await ok(kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: [role, binding] }) }), "grant");
  await waitUntil(`RBAC to grant ${check.join(" ")}`, async () => (await kubectl(["auth", "can-i", ...check, "-n", namespace, "--as", release.agentUser])).stdout.trim() === "yes", 20_000);
}

beforeAll(async () => {
  release = await installRelease("sec");
  other = await installRelease("sec-other");
  as["agent-a"] = await agentKubeconfig(release, "agent-a");
  as["agent-b"] = await agentKubeconfig(release, "agent-b");
  as.unbound = await agentKubeconfig(release, undefined);
  // Another release's agent, even one whose pod has the same name as ours.
  as["other-agent-a"] = await agentKubeconfig(other, "agent-a", "other-agent-a");
  await assigned("canary", "agent-a");
  // Only once the policies bite does "nothing refused" mean anything.
  await policiesEnforced({
    "another agent's job": () => writeStatus("canary", { phase: "Running" }, as["agent-b"], ["--dry-run=server"]),
    "a Lease named after another agent": () => send("create", lease(release.tenant, "probe", "probe"), as["agent-a"], ["--dry-run=server"]),
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  for (const r of [release, other]) if (r !== undefined) await uninstall(r);
});

describe("agents under the admission policies, with pod-bound ServiceAccount tokens", () => {
  it("run their jobs end to end with the operator as its ServiceAccount: nothing they do is refused, every job ends once", async () => {
    const cli = cliPath();
    const operatorKubeconfig = writeKubeconfigActingAs(release.operatorUser, join(kubeconfigPath(), "..", `kubeconfig-security-${release.ns}-operator`));
    const operator = await OperatorProcess.start({ name: "security-operator", namespaces: [release.tenant], operatorNamespace: release.ns, kubeconfig: operatorKubeconfig, cli, logDir });
    processes.push(operator);
    await operator.ready();
    const agents = (["agent-a", "agent-b"] as const).map(
      (name) => new AgentProcess({ name, namespace: release.tenant, operatorNamespace: release.ns, kubeconfig: as[name], cli, logDir, maxConcurrency: 3 }, `security-${name}`),
    );
    processes.push(...agents);
    await Promise.all(agents.map((a) => a.started()));

    const specs: Record<string, unknown>[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ type: "echo", payload: { message: `m${i}` } })),
      ...Array.from({ length: 4 }, () => ({ type: "sleep", payload: { duration: "1500ms" } })),
      ...Array.from({ length: 3 }, () => ({ type: "fail", payload: { times: 1 }, retry: { maxRetries: 2, backoffSeconds: 1, maxBackoffSeconds: 1 } })),
      { type: "no-such-handler", retry: { maxRetries: 1, backoffSeconds: 1, maxBackoffSeconds: 1 } },
    ];
    for (const [i, spec] of specs.entries()) await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: `work-${i}`, namespace: release.tenant }, spec } as Job);
    let all: Job[] = [];
    await waitUntil(
      "every job terminal",
      async () => {
        all = (await jobs.listAll({ namespace: release.tenant })).items.filter((j) => j.metadata.name?.startsWith("work-"));
        return all.length === specs.length && all.every((j) => ["Succeeded", "Failed"].includes(j.status?.phase ?? ""));
      },
      60_000,
    ).catch(() => undefined);

    await Promise.all(agents.map((a) => a.stop()));
    await operator.stop();
    const refusals = agents.flatMap((a) => a.lines.filter((l) => l["msg"] === "job status write rejected").map((l) => JSON.stringify(l["err"])));
    expect(refusals, "the policy refused none of the agents' own writes").toEqual([]);
    const operatorRefusals = operator.lines.filter((l) => /forbidden|denied request/i.test(JSON.stringify(l)));
    expect(operatorRefusals, "nothing the operator wrote (audit chunks included) was refused").toEqual([]);
    const audit = await readAuditTrail(new ResourceClient<AuditLog>(new Transport(kc), AUDIT_LOG_TYPE), { namespace: release.tenant, query: {}, now: Date.now() });
    // The operator's audit chunks, written as its ServiceAccount, are the trail the checker compares.
    expect(audit.filter((e) => e.name.startsWith("work-")).length).toBeGreaterThan(0);
    const report = checkInvariants({ jobs: all, audit: audit.filter((e) => e.name.startsWith("work-") || e.kind !== "Job"), executions: agents.flatMap((a) => a.executions()) });
    expect(report.violations, formatViolations(report.violations)).toEqual([]);
    expect(report.stats.phases).toEqual({ Succeeded: specs.length - 1, Failed: 1 });
    // Both agents wrote facts the policy had to judge: successes, failures and NoHandler.
    expect(new Set(agents.flatMap((a) => a.executions().filter((e) => e.written).map((e) => e.agent)))).toEqual(new Set(["agent-a", "agent-b"]));
  }, 150_000);
});

describe("job status: an agent writes only its own attempt, as given", () => {
  it("another agent may not touch a job that is not assigned to it", async () => {
    await assigned("deny-foreign", "agent-a");
    await expectPolicyRefusal(writeStatus("deny-foreign", { phase: "Running", progress: { message: "not mine" } }, as["agent-b"]), "an agent may change only the status of jobs assigned to it");
    // The owner may.
    await ok(writeStatus("deny-foreign", { phase: "Running", progress: { message: "mine" } }, as["agent-a"]), "the owner's write");
  });

  it("an agent may change only its current attempt's record, not an earlier one", async () => {
    await assigned("deny-old-attempt", "agent-a", 2);
    const job = await jobs.get({ namespace: release.tenant, name: "deny-old-attempt" });
    const rewritten = (job.status?.attempts ?? []).map((a) => (a.attempt === 1 ? { ...a, outcome: "Succeeded" } : a));
    await expectPolicyRefusal(writeStatus("deny-old-attempt", { attempts: rewritten }, as["agent-a"]), "an agent may change only the record of its current attempt");
    const current = (job.status?.attempts ?? []).map((a) => (a.attempt === 2 ? { ...a, outcome: "Succeeded" } : a));
    expect((await writeStatus("deny-old-attempt", { phase: "Succeeded", attempts: current }, as["agent-a"])).stderr).toBe("");
  });

  it("an agent may not rewrite its current attempt's record to blame another agent (the breaker counts by it)", async () => {
    await assigned("deny-blame", "agent-a");
    const job = await jobs.get({ namespace: release.tenant, name: "deny-blame" });
    const blamed = (job.status?.attempts ?? []).map((a) => ({ ...a, agent: "agent-b", outcome: "Failed", reason: "HandlerFailed" }));
    await expectPolicyRefusal(writeStatus("deny-blame", { attempts: blamed, lastError: { reason: "HandlerFailed", message: "x" } }, as["agent-a"]), "the record of the current attempt must name the agent it was assigned to");
    if (withPolicy) expect((await jobs.get({ namespace: release.tenant, name: "deny-blame" })).status?.attempts?.map((a) => a.agent)).toEqual(["agent-a"]);
  });

  it("an agent may not move when its attempt was assigned (the ack and stuck deadlines count from it)", async () => {
    await assigned("deny-assigned-at", "agent-a");
    const job = await jobs.get({ namespace: release.tenant, name: "deny-assigned-at" });
    const later = "2099-01-01T00:00:00Z";
    const moved = (job.status?.attempts ?? []).map((a) => ({ ...a, assignedAt: later }));
    const message = "an agent may not change when its attempt was assigned";
    await expectPolicyRefusal(writeStatus("deny-assigned-at", { attempts: moved }, as["agent-a"]), message);
    await expectPolicyRefusal(writeStatus("deny-assigned-at", { assignedAt: later }, as["agent-a"]), message);
  });

  it("a token of the agent ServiceAccount bound to no pod carries no agent identity", async () => {
    await assigned("deny-unbound", "agent-a");
    await expectPolicyRefusal(writeStatus("deny-unbound", { phase: "Running" }, as.unbound), "an agent's token must be bound to its pod");
  });

  it("another release's agent is refused by RBAC, even with the same pod name", async () => {
    await assigned("deny-tenant", "agent-a");
    await expectRbacRefusal(writeStatus("deny-tenant", { phase: "Running" }, as["other-agent-a"]), other.agentUser, "update", "jobs/status");
  });
});

describe("an agent's identity reaches nothing beyond itself (issue 17, finding 1)", () => {
  const notMine = (what: string, name: string): string => `agent agent-a may write only the Agent and the Lease named agent-a, not ${what} ${name}`;

  it("may renew its own Lease but not clear another agent's holder", async () => {
    await ok(send("apply", lease(release.tenant, "agent-b", "agent-b"), kubeconfigPath()), "agent-b's Lease");
    const own = await read("lease", "agent-a", release.tenant);
    if (own === undefined) await ok(send("create", lease(release.tenant, "agent-a", "agent-a"), as["agent-a"]), "agent-a creates its own Lease");
    else await ok(send("replace", { ...own, spec: { ...(own["spec"] as object), holderIdentity: "agent-a" } }, as["agent-a"]), "agent-a renews its own Lease");

    const theirs = await read("lease", "agent-b", release.tenant);
    await expectPolicyRefusal(send("replace", { ...theirs, spec: { ...(theirs?.["spec"] as object), holderIdentity: "" } }, as["agent-a"]), notMine("coordination.k8s.io/leases", "agent-b"));
    if (withPolicy) expect((await read("lease", "agent-b", release.tenant))?.["spec"]).toMatchObject({ holderIdentity: "agent-b" });
  });

  it("may not set spec.drain on another agent, nor clear its own", async () => {
    for (const name of ["agent-a", "agent-b"]) await ok(send("apply", agentObject(name, { queues: ["default"] }), kubeconfigPath()), `${name}'s Agent`);
    await expectPolicyRefusal(send("apply", agentObject("agent-b", { drain: true }), as["agent-a"]), notMine("helios.dev/agents", "agent-b"));
    await ok(kubectl(["patch", "hagent", "agent-a", "-n", release.tenant, "--type=merge", "-p", JSON.stringify({ spec: { drain: true } })]), "drain agent-a as admin");
    await expectPolicyRefusal(send("apply", agentObject("agent-a", { drain: false }), as["agent-a"]), "an agent may not change its own spec.drain");
  });

  it("may not register a sybil: an Agent and a Lease under a name that is not its own", async () => {
    await expectPolicyRefusal(send("apply", agentObject("sybil", { queues: ["default"], maxConcurrency: 20 }), as["agent-a"]), notMine("helios.dev/agents", "sybil"));
    await expectPolicyRefusal(send("create", lease(release.tenant, "sybil", "sybil"), as["agent-a"]), notMine("coordination.k8s.io/leases", "sybil"));
    if (withPolicy) expect(await read("hagent", "sybil", release.tenant)).toBeUndefined();
  });

  it("may not write the operator's leader Lease: RBAC refuses, and the policy still does when RBAC is widened", async () => {
    await ok(send("apply", lease(release.ns, LEADER_LEASE, "operator-0"), kubeconfigPath()), "the leader Lease");
    expect((await kubectl(["auth", "can-i", "update", `leases/${LEADER_LEASE}`, "-n", release.ns, "--as", release.agentUser])).stdout.trim()).toBe("no");
    const leader = await read("lease", LEADER_LEASE, release.ns);
    const taken = { ...leader, spec: { ...(leader?.["spec"] as object), holderIdentity: "agent-a" } };
    await expectRbacRefusal(send("replace", taken, as["agent-a"]), release.agentUser, "update", "leases");
    await grantAgent("too-generous-leases", release.ns, [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update", "create"] }], ["update", `leases/${LEADER_LEASE}`]);
    await expectPolicyRefusal(send("replace", taken, as["agent-a"]), notMine("coordination.k8s.io/leases", LEADER_LEASE));
    if (withPolicy) expect((await read("lease", LEADER_LEASE, release.ns))?.["spec"]).toMatchObject({ holderIdentity: "operator-0" });
  });

  it("may not change its own quarantine or phase (agents/status): RBAC refuses, and the policy still does when RBAC is widened", async () => {
    await ok(send("apply", agentObject("agent-a", { queues: ["default"] }), kubeconfigPath()), "agent-a's Agent");
    await ok(kubectl(["patch", "hagent", "agent-a", "-n", release.tenant, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { phase: "Quarantined", quarantineCount: 1 } })]), "quarantine agent-a as admin");
    const quarantined = await read("hagent", "agent-a", release.tenant);
    const freed = { ...quarantined, status: { ...(quarantined?.["status"] as object), phase: "Ready", quarantineCount: 0 } };
    await expectRbacRefusal(send("replace", freed, as["agent-a"], ["--subresource=status"]), release.agentUser, "update", "agents/status");
    await grantAgent("too-generous-agent-status", release.tenant, [{ apiGroups: ["helios.dev"], resources: ["agents/status"], verbs: ["update", "patch"] }], ["update", "agents.helios.dev", "--subresource=status"]);
    await expectPolicyRefusal(send("replace", freed, as["agent-a"], ["--subresource=status"]), "an agent may write only its own Agent and Lease and the status of jobs assigned to it, not helios.dev/agents/status");
    if (withPolicy) expect((await read("hagent", "agent-a", release.tenant))?.["status"]).toMatchObject({ phase: "Quarantined" });
  });
});
