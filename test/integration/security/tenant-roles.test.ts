// The chart's tenant roles: a namespace's users bound to Kubernetes' built-in view, edit and admin act
// on its Helios objects as each role fits, never write AuditLogs or status, and reach nothing in
// another namespace. Checked with the apiserver's own answers: `kubectl auth can-i --as` (a
// SubjectAccessReview) for every cell, and real writes sent as those users.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_LOG_TYPE, JOB_TYPE, type AuditLog, type Job } from "../../../src/api/index.js";
import { isApiError, ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { waitFor } from "../jobs/support.js";
import { binaries, createNamespace, impersonating, kubeconfigPath, kubectl, type CommandResult } from "../support/cluster.js";

const CHART = join(import.meta.dirname, "../../../charts/helios");
const RELEASE = `tenants-${randomBytes(3).toString("hex")}`;

type Role = "view" | "edit" | "admin";
const USERS: Record<Role, string> = { view: "tenant-viewer", edit: "tenant-editor", admin: "tenant-admin" };

/** [verb, resource, the roles allowed] in the tenant's own namespace. */
const OWN_NAMESPACE: readonly [string, string, readonly Role[]][] = [
  ["get", "jobs.helios.dev", ["view", "edit", "admin"]],
  ["list", "jobs.helios.dev", ["view", "edit", "admin"]],
  ["watch", "agents.helios.dev", ["view", "edit", "admin"]],
  ["list", "featureflags.helios.dev", ["view", "edit", "admin"]],
  ["list", "auditlogs.helios.dev", ["view", "edit", "admin"]],
  ["create", "jobs.helios.dev", ["edit", "admin"]],
  ["patch", "jobs.helios.dev", ["edit", "admin"]],
  ["delete", "jobs.helios.dev", ["edit", "admin"]],
  ["create", "featureflags.helios.dev", ["edit", "admin"]],
  ["delete", "featureflags.helios.dev", ["edit", "admin"]],
  ["patch", "agents.helios.dev", ["edit", "admin"]],
  ["create", "agents.helios.dev", ["admin"]],
  ["delete", "agents.helios.dev", ["admin"]],
  ["create", "auditlogs.helios.dev", []],
  ["update", "auditlogs.helios.dev", []],
  ["patch", "auditlogs.helios.dev", []],
  ["delete", "auditlogs.helios.dev", []],
  ["update", "jobs.helios.dev/status", []],
  ["patch", "agents.helios.dev/status", []],
  ["update", "featureflags.helios.dev/status", []],
];

function helm(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(binaries().helm, [...args, "--kubeconfig", kubeconfigPath()], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`helm failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

async function canI(user: string, verb: string, resource: string, namespace: string): Promise<boolean> {
  const [plural, subresource] = resource.split("/");
  const args = ["auth", "can-i", verb, plural ?? resource, "-n", namespace, "--as", user, ...(subresource === undefined ? [] : ["--subresource", subresource])];
  const answer = await kubectl(args);
  if (answer.stdout.trim() !== "yes" && answer.stdout.trim() !== "no") throw new Error(`kubectl ${args.join(" ")}: ${answer.stderr}`);
  return answer.stdout.trim() === "yes";
}

function clientsOf(user: string): { jobs: ResourceClient<Job>; audit: ResourceClient<AuditLog> } {
  const transport = new Transport(impersonating(user));
  return { jobs: new ResourceClient<Job>(transport, JOB_TYPE), audit: new ResourceClient<AuditLog>(transport, AUDIT_LOG_TYPE) };
}

describe("tenant roles aggregated into view, edit and admin", { timeout: 180_000 }, () => {
  let tenant: string;
  let other: string;
  let rendered: string;

  beforeAll(async () => {
    const template = await helm(["template", RELEASE, CHART, "--namespace", "helios-system", "--show-only", "templates/tenant-roles.yaml"]);
    expect(template.stderr).toBe("");
    rendered = template.stdout;
    expect((await kubectl(["apply", "-f", "-"], { input: rendered })).code).toBe(0);
    tenant = await createNamespace("tenant-a");
    other = await createNamespace("tenant-b");
    for (const [role, user] of Object.entries(USERS)) {
      const bound = await kubectl(["create", "rolebinding", `${user}-${role}`, "-n", tenant, `--clusterrole=${role}`, `--user=${user}`]);
      expect(bound.stderr).toBe("");
    }
    // kube-controller-manager's clusterrole-aggregation controller copies the rules into the built-in roles.
    await waitFor("the tenant roles to be aggregated", () => canI(USERS.view, "list", "auditlogs.helios.dev", tenant), 30_000);
  });

  afterAll(async () => {
    await kubectl(["delete", "-f", "-", "--ignore-not-found"], { input: rendered });
  });

  it("answers every cell of the role matrix as the chart documents it, in the tenant's namespace", async () => {
    const wrong: string[] = [];
    for (const [verb, resource, allowed] of OWN_NAMESPACE) {
      for (const [role, user] of Object.entries(USERS) as [Role, string][]) {
        const expected = allowed.includes(role);
        if ((await canI(user, verb, resource, tenant)) !== expected) wrong.push(`${role} ${verb} ${resource}: expected ${expected ? "yes" : "no"}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("grants nothing in another namespace, nor in the operator's (control flags)", async () => {
    const cells = [other, "helios-system"].flatMap((namespace) =>
      OWN_NAMESPACE.flatMap(([verb, resource]) => Object.values(USERS).map((user) => ({ namespace, verb, resource, user }))),
    );
    const answers = await Promise.all(cells.map(async (c) => ((await canI(c.user, c.verb, c.resource, c.namespace)) ? [`${c.user} ${c.verb} ${c.resource} in ${c.namespace}`] : [])));
    expect(answers.flat()).toEqual([]);
  });

  it("lets an editor submit and cancel a Job, and refuses a forged audit chunk to every tenant user", async () => {
    const editor = clientsOf(USERS.edit);
    const job = await editor.jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: "submitted", namespace: tenant }, spec: { type: "echo" } } as Job);
    const cancelled = await editor.jobs.mergePatch({ namespace: tenant, name: "submitted" }, { spec: { cancel: true } });
    expect(cancelled.spec.cancel).toBe(true);
    expect(job.metadata.uid).toBe(cancelled.metadata.uid);

    const chunk = {
      apiVersion: "helios.dev/v1alpha1",
      kind: "AuditLog",
      metadata: { name: "forged", namespace: tenant, labels: { "helios.dev/audit-day": "2026-01-01" } },
      spec: { entries: [] },
    } as unknown as AuditLog;
    for (const user of Object.values(USERS)) {
      const refused = await clientsOf(user).audit.create(chunk).then(() => undefined, (err: unknown) => err);
      expect(isApiError(refused, "Forbidden"), `${user} created an AuditLog: ${String(refused)}`).toBe(true);
    }
    const viewer = clientsOf(USERS.view);
    const refusedJob = await viewer.jobs.create({ ...job, metadata: { name: "by-viewer", namespace: tenant } }).then(() => undefined, (err: unknown) => err);
    expect(isApiError(refusedJob, "Forbidden")).toBe(true);
  });
});
