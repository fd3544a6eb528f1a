// The agent admission policy (chart: admissionPolicy.enabled) with REAL agent identities: tokens of
// the chart's agent ServiceAccount bound to pods named after the agents (what a kubelet mounts), so
// the apiserver adds the pod name to the user info exactly as in a cluster.
//
// First the whole system works under the policy and the chart's RBAC: the operator (admin) and two
// `helios agent` processes, each with its pod-bound token, run jobs that succeed, fail and retry,
// and the invariant checker finds nothing wrong. Then each refusal the issue asks for, sent with
// those identities: another agent's job, a record of an earlier attempt, a token bound to no pod, and
// another tenant's agent. The packaging test (test/integration/packaging/chart.test.ts) already
// covers forward-only moves, the fencing token and retries with impersonation; not repeated here.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the chart is installed without the policy, and
// each refusal test asserts that the write it expects refused is then ACCEPTED (the tenant test
// stays: RBAC, not the policy, refuses other tenants).
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { AUDIT_LOG_TYPE, JOB_TYPE, type AuditLog, type Job } from "../../../src/api/index.js";
import { readAuditTrail } from "../../../src/audit/index.js";
import { checkInvariants, formatViolations } from "../../../src/invariants/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { cliPath, unprotected } from "../chaos/support/build.js";
import { AgentProcess, OperatorProcess, waitUntil, CHAOS_LOG_DIR } from "../chaos/support/processes.js";
import { binaries, createNamespace, kubeConfig, kubeconfigPath, kubectl, type CommandResult } from "../support/cluster.js";

const root = join(import.meta.dirname, "../../..");
const chart = join(root, "charts/helios");
const logDir = join(CHAOS_LOG_DIR, `security-${new Date().toISOString().replace(/[:.]/g, "")}`);
const kc = kubeConfig();
const jobs = new ResourceClient<Job>(new Transport(kc), JOB_TYPE);
const processes: (AgentProcess | OperatorProcess)[] = [];
const releases: { name: string; ns: string }[] = [];

function helm(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(binaries().helm, [...args, "--kubeconfig", kubeconfigPath()], { cwd: root }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`helm failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

async function ok(run: Promise<CommandResult>, what: string): Promise<string> {
  const res = await run;
  if (res.code !== 0) throw new Error(`${what}: ${res.stderr}`);
  return res.stdout;
}

/** Installs the chart (policy on) in a fresh namespace: the tenant's agents run under its agent ServiceAccount. */
async function install(prefix: string): Promise<{ ns: string; release: string; agentSa: string }> {
  const ns = await createNamespace(prefix);
  const release = `helios-${ns.split("-").at(-1) ?? "x"}`;
  await ok(helm(["install", release, chart, "--namespace", ns, "--set", `admissionPolicy.enabled=${String(withPolicy)}`, "--set", "replicaCount=1"]), "helm install");
  releases.push({ name: release, ns });
  return { ns, release, agentSa: `${release}-agent` };
}

/** A pod for the agent (never scheduled: there is no kubelet) and a token of `sa` bound to it, or to nothing. */
async function agentToken(ns: string, sa: string, pod: string | undefined): Promise<string> {
  if (pod !== undefined) {
    const body = { apiVersion: "v1", kind: "Pod", metadata: { name: pod, namespace: ns }, spec: { serviceAccountName: sa, containers: [{ name: "agent", image: "helios:test" }] } };
    await ok(kubectl(["apply", "-f", "-"], { input: JSON.stringify(body) }), "create pod");
  }
  const bind = pod === undefined ? [] : ["--bound-object-kind", "Pod", "--bound-object-name", pod];
  return (await ok(kubectl(["create", "token", sa, "-n", ns, "--duration", "1h", ...bind]), "create token")).trim();
}

/** A kubeconfig for the test cluster that authenticates with `token` only. */
function kubeconfigFor(name: string, token: string): string {
  const config = parse(readFileSync(kubeconfigPath(), "utf8")) as { users: { user: Record<string, string> }[] };
  for (const u of config.users) u.user = { token };
  const path = join(kubeconfigPath(), "..", `kubeconfig-security-${name}`);
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

/** PUTs the job's status with `change` applied, with the resourceVersion read, as the holder of `kubeconfig`. */
async function writeStatus(ns: string, name: string, change: Record<string, unknown>, kubeconfig: string): Promise<CommandResult> {
  const job = await jobs.get({ namespace: ns, name });
  const body = { ...job, status: { ...job.status, ...change } };
  return kubectl(["replace", "--subresource=status", "-f", "-"], { input: JSON.stringify(body), kubeconfig });
}

/** Creates a job and assigns `attempts` to `agent` the way the dispatcher does (as admin); the last one is current. */
async function assigned(ns: string, name: string, agent: string, attempts = 1): Promise<void> {
  const created = await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name, namespace: ns }, spec: { type: "echo" } } as Job);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const records = Array.from({ length: attempts }, (_, i) => ({ attempt: i + 1, agent, outcome: i + 1 < attempts ? "Requeued" : "", assignedAt: now, ...(i + 1 < attempts ? { reason: "AgentOffline" } : {}) }));
  await jobs.replaceStatus({ ...created, status: { phase: "Assigned", attempt: attempts, assignedAgent: agent, assignedAt: now, queuedAt: now, attempts: records } });
}

let tenant: { ns: string; release: string; agentSa: string };
let other: { ns: string; release: string; agentSa: string };
const tokens: Record<string, string> = {};
const withPolicy = !unprotected();

/**
 * The write, which the policy must refuse; the policy is compiled asynchronously after install, so
 * this waits until it bites. Without the policy (unprotected run) the write must go through instead.
 */
async function refused(ns: string, name: string, change: Record<string, unknown>, kubeconfig: string): Promise<CommandResult> {
  if (!withPolicy) {
    const res = await writeStatus(ns, name, change, kubeconfig);
    expect(res.code, `without the policy the write goes through: ${res.stderr}`).toBe(0);
    return res;
  }
  let last: CommandResult | undefined;
  await waitUntil("the write to be refused", async () => (last = await writeStatus(ns, name, change, kubeconfig)).code !== 0, 20_000);
  return last as CommandResult;
}

/** The refusal message (or nothing to check in an unprotected run). */
function expectRefusal(res: CommandResult, message: string): void {
  if (withPolicy) expect(res.stderr).toContain(message);
}

beforeAll(async () => {
  tenant = await install("sec");
  other = await install("sec-other");
  tokens["agent-a"] = kubeconfigFor("agent-a", await agentToken(tenant.ns, tenant.agentSa, "agent-a"));
  tokens["agent-b"] = kubeconfigFor("agent-b", await agentToken(tenant.ns, tenant.agentSa, "agent-b"));
  tokens["unbound"] = kubeconfigFor("unbound", await agentToken(tenant.ns, tenant.agentSa, undefined));
  // Another tenant's agent, even one whose pod has the same name as ours.
  tokens["other-agent-a"] = kubeconfigFor("other-agent-a", await agentToken(other.ns, other.agentSa, "agent-a"));
}, 180_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  for (const r of releases) await helm(["uninstall", r.name, "--namespace", r.ns, "--ignore-not-found"]);
});

describe("agents under the admission policy, with pod-bound ServiceAccount tokens", () => {
  it("run their jobs end to end: nothing they do is refused, every job ends once", async () => {
    // Only once the policy bites does "nothing refused" mean anything.
    await assigned(tenant.ns, "canary", "agent-a");
    await refused(tenant.ns, "canary", { phase: "Running" }, tokens["agent-b"] ?? "");
    const cli = cliPath();
    const operator = await OperatorProcess.start({ name: "security-operator", namespaces: [tenant.ns], operatorNamespace: tenant.ns, kubeconfig: kubeconfigPath(), cli, logDir });
    processes.push(operator);
    await operator.ready();
    const agents = ["agent-a", "agent-b"].map(
      (name) => new AgentProcess({ name, namespace: tenant.ns, operatorNamespace: tenant.ns, kubeconfig: tokens[name] ?? "", cli, logDir, maxConcurrency: 3 }, `security-${name}`),
    );
    processes.push(...agents);
    await Promise.all(agents.map((a) => a.started()));

    const specs: Record<string, unknown>[] = [
      ...Array.from({ length: 6 }, (_, i) => ({ type: "echo", payload: { message: `m${i}` } })),
      ...Array.from({ length: 4 }, () => ({ type: "sleep", payload: { duration: "1500ms" } })),
      ...Array.from({ length: 3 }, () => ({ type: "fail", payload: { times: 1 }, retry: { maxRetries: 2, backoffSeconds: 1, maxBackoffSeconds: 1 } })),
      { type: "no-such-handler", retry: { maxRetries: 1, backoffSeconds: 1, maxBackoffSeconds: 1 } },
    ];
    for (const [i, spec] of specs.entries()) await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: `work-${i}`, namespace: tenant.ns }, spec } as Job);
    let all: Job[] = [];
    await waitUntil(
      "every job terminal",
      async () => {
        all = (await jobs.listAll({ namespace: tenant.ns })).items.filter((j) => j.metadata.name?.startsWith("work-"));
        return all.length === specs.length && all.every((j) => ["Succeeded", "Failed"].includes(j.status?.phase ?? ""));
      },
      60_000,
    ).catch(() => undefined);

    await Promise.all(agents.map((a) => a.stop()));
    await operator.stop();
    const refusals = agents.flatMap((a) => a.lines.filter((l) => l["msg"] === "job status write rejected").map((l) => JSON.stringify(l["err"])));
    expect(refusals, "the policy refused none of the agents' own writes").toEqual([]);
    const audit = await readAuditTrail(new ResourceClient<AuditLog>(new Transport(kc), AUDIT_LOG_TYPE), { namespace: tenant.ns, query: {}, now: Date.now() });
    const report = checkInvariants({ jobs: all, audit: audit.filter((e) => e.name.startsWith("work-") || e.kind !== "Job"), executions: agents.flatMap((a) => a.executions()) });
    expect(report.violations, formatViolations(report.violations)).toEqual([]);
    expect(report.stats.phases).toEqual({ Succeeded: specs.length - 1, Failed: 1 });
    // Both agents wrote facts the policy had to judge: successes, failures and NoHandler.
    expect(new Set(agents.flatMap((a) => a.executions().filter((e) => e.written).map((e) => e.agent)))).toEqual(new Set(["agent-a", "agent-b"]));
  }, 150_000);
});

describe("refusals, with clear messages", () => {
  it("another agent may not touch a job that is not assigned to it", async () => {
    await assigned(tenant.ns, "deny-foreign", "agent-a");
    const res = await refused(tenant.ns, "deny-foreign", { phase: "Running", progress: { message: "not mine" } }, tokens["agent-b"] ?? "");
    expectRefusal(res, "an agent may change only the status of jobs assigned to it");
    // The owner may.
    expect((await writeStatus(tenant.ns, "deny-foreign", { phase: "Running", progress: { message: "mine" } }, tokens["agent-a"] ?? "")).code).toBe(0);
  });

  it("an agent may change only its current attempt's record, not an earlier one", async () => {
    await assigned(tenant.ns, "deny-old-attempt", "agent-a", 2);
    const job = await jobs.get({ namespace: tenant.ns, name: "deny-old-attempt" });
    const rewritten = (job.status?.attempts ?? []).map((a) => (a.attempt === 1 ? { ...a, outcome: "Succeeded" } : a));
    const res = await refused(tenant.ns, "deny-old-attempt", { attempts: rewritten }, tokens["agent-a"] ?? "");
    expectRefusal(res, "an agent may change only the record of its current attempt");
    const current = (job.status?.attempts ?? []).map((a) => (a.attempt === 2 ? { ...a, outcome: "Succeeded" } : a));
    expect((await writeStatus(tenant.ns, "deny-old-attempt", { phase: "Succeeded", attempts: current }, tokens["agent-a"] ?? "")).stderr).toBe("");
  });

  it("a token of the agent ServiceAccount bound to no pod carries no agent identity", async () => {
    await assigned(tenant.ns, "deny-unbound", "agent-a");
    const res = await refused(tenant.ns, "deny-unbound", { phase: "Running" }, tokens["unbound"] ?? "");
    expectRefusal(res, "an agent's token must be bound to its pod");
  });

  it("another tenant's agent is refused by RBAC, even with the same pod name", async () => {
    await assigned(tenant.ns, "deny-tenant", "agent-a");
    const res = await writeStatus(tenant.ns, "deny-tenant", { phase: "Running" }, tokens["other-agent-a"] ?? "");
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`User "system:serviceaccount:${other.ns}:${other.agentSa}" cannot update resource "jobs/status"`);
  });
});
