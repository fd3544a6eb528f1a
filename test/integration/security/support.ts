// The chart installed as a platform team would (operator in its release namespace, agents' identity in
// the tenant namespace they serve) and real identities to act with: pod-bound tokens of the agents'
// ServiceAccount and the operator's ServiceAccount by impersonation.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import { unprotected } from "../chaos/support/build.js";
import { waitUntil } from "../chaos/support/processes.js";
import { binaries, createNamespace, kubeconfigPath, kubectl, type CommandResult } from "../support/cluster.js";

const ROOT = join(import.meta.dirname, "../../..");
const CHART = join(ROOT, "charts/helios");

/** Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the chart is installed without its admission policies. */
export const withPolicy = !unprotected();

export interface Release {
  readonly name: string;
  /** The release namespace: the operator's ServiceAccount, leader Lease and control flags. */
  readonly ns: string;
  /** The namespace the agents serve (agents.namespace), the only one the operator watches here. */
  readonly tenant: string;
  readonly agentSa: string;
  readonly operatorUser: string;
  readonly agentUser: string;
}

export function helm(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(binaries().helm, [...args, "--kubeconfig", kubeconfigPath()], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`helm failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

export async function ok(run: Promise<CommandResult>, what: string): Promise<string> {
  const res = await run;
  if (res.code !== 0) throw new Error(`${what}: ${res.stderr}`);
  return res.stdout;
}

/**
 * Installs the chart with its default policies (none in an unprotected run) in a fresh release
 * namespace, its agents serving a fresh tenant namespace that the operator alone watches (so the
 * AuditLog policy of one release never judges another release's operator).
 */
export async function installRelease(prefix: string): Promise<Release> {
  const [ns, tenant] = await Promise.all([createNamespace(`${prefix}-sys`), createNamespace(prefix)]);
  const name = `helios-${ns.split("-").at(-1) ?? "x"}`;
  // The CRDs are the shared cluster's (the global setup's), which helm would refuse to take over.
  const sets = [`agents.namespace=${tenant}`, `watchNamespaces={${tenant}}`, "replicaCount=1", "crds.enabled=false", ...(withPolicy ? [] : ["admissionPolicy.enabled=false"])];
  await ok(helm(["install", name, CHART, "--namespace", ns, ...sets.flatMap((s) => ["--set", s])]), "helm install");
  return {
    name,
    ns,
    tenant,
    agentSa: `${name}-agent`,
    operatorUser: `system:serviceaccount:${ns}:${name}-operator`,
    agentUser: `system:serviceaccount:${tenant}:${name}-agent`,
  };
}

export async function uninstall(release: Release): Promise<void> {
  await helm(["uninstall", release.name, "--namespace", release.ns, "--ignore-not-found"]);
  await kubectl(["delete", "namespace", release.ns, release.tenant, "--wait=false", "--ignore-not-found"]);
}

/**
 * A token of `sa` bound to a Pod named `pod` (created here, never scheduled: there is no kubelet), as a
 * kubelet mounts it, or bound to nothing when `pod` is undefined.
 */
export async function agentToken(ns: string, sa: string, pod: string | undefined): Promise<string> {
  if (pod !== undefined) {
    const body = { apiVersion: "v1", kind: "Pod", metadata: { name: pod, namespace: ns }, spec: { serviceAccountName: sa, containers: [{ name: "agent", image: "helios:test" }] } };
    await ok(kubectl(["apply", "-f", "-"], { input: JSON.stringify(body) }), "create pod");
  }
  const bind = pod === undefined ? [] : ["--bound-object-kind", "Pod", "--bound-object-name", pod];
  return (await ok(kubectl(["create", "token", sa, "-n", ns, "--duration", "1h", ...bind]), "create token")).trim();
}

/** A kubeconfig file for the test cluster whose user is `user` (e.g. `{ token }`); returns its path. */
export function kubeconfigWith(name: string, user: Record<string, string>): string {
  const config = parse(readFileSync(kubeconfigPath(), "utf8")) as { users: { user: Record<string, string> }[] };
  for (const u of config.users) u.user = { ...user };
  const path = join(kubeconfigPath(), "..", `kubeconfig-security-${name}`);
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

/** A kubeconfig file authenticating with a pod-bound token of the release's agent ServiceAccount: agent `pod`. */
export async function agentKubeconfig(release: Release, pod: string | undefined, name = pod ?? "unbound"): Promise<string> {
  return kubeconfigWith(`${release.tenant}-${name}`, { token: await agentToken(release.tenant, release.agentSa, pod) });
}

/**
 * Waits until every probe (a server-side dry run: it passes admission, writes nothing) is refused,
 * i.e. the apiserver compiled and enforces the policies installed a moment ago. Nothing to wait for in
 * an unprotected run.
 */
export async function policiesEnforced(probes: Record<string, () => Promise<CommandResult>>): Promise<void> {
  if (!withPolicy) return;
  for (const [what, probe] of Object.entries(probes)) {
    await waitUntil(`the policy to refuse ${what}`, async () => (await probe()).code !== 0, 30_000);
  }
}

/**
 * The write the policy must refuse, with `message`; in an unprotected run the same write must go
 * through instead (RBAC allowed it: the policy is what stops it).
 */
export async function expectPolicyRefusal(write: Promise<CommandResult>, message: string | RegExp): Promise<void> {
  const res = await write;
  if (!withPolicy) {
    expect(res.code, `without the policy the write goes through: ${res.stderr}`).toBe(0);
    return;
  }
  expect(res.code, `the write went through: ${res.stdout}`).not.toBe(0);
  expect(res.stderr).toMatch(/ValidatingAdmissionPolicy '[^']+' with binding '[^']+' denied request/);
  if (typeof message === "string") expect(res.stderr).toContain(message);
  else expect(res.stderr).toMatch(message);
}

/** The write RBAC must refuse (the policy never sees it), in every run. */
export async function expectRbacRefusal(write: Promise<CommandResult>, user: string, verb: string, resource: string): Promise<void> {
  const res = await write;
  expect(res.code, `the write went through: ${res.stdout}`).not.toBe(0);
  expect(res.stderr).toContain(`User "${user}" cannot ${verb} resource "${resource}"`);
}
