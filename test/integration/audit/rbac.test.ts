// Tenancy: a ServiceAccount bound in namespace A reads A's audit chunks and not B's (impersonation).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { AuditRow } from "../../../src/audit/index.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { auditWriter, helios, lifecycle } from "./support.js";

let nsA: string;
let nsB: string;
let reader: string;
let impersonating: string;

beforeAll(async () => {
  [nsA, nsB] = await Promise.all([createNamespace("audit-rbac-a"), createNamespace("audit-rbac-b")]);
  reader = `system:serviceaccount:${nsA}:reader`;
  const writer = auditWriter(kubeConfig());
  for (const r of [...lifecycle(nsA, "job-a", "succeeded", Date.now() - 60_000), ...lifecycle(nsB, "job-b", "succeeded", Date.now() - 60_000)]) writer.record(r);
  expect(await writer.close()).toEqual({ unwritten: 0 });
  const manifest = `
apiVersion: v1
kind: ServiceAccount
metadata: { name: reader, namespace: ${nsA} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: audit-reader, namespace: ${nsA} }
rules:
  - apiGroups: ["helios.dev"]
    resources: ["auditlogs"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: audit-reader, namespace: ${nsA} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: audit-reader }
subjects:
  - { kind: ServiceAccount, name: reader, namespace: ${nsA} }
`;
  const applied = await kubectl(["apply", "-f", "-"], { input: manifest });
  expect(applied.stderr).toBe("");
  // The same admin credentials, impersonating the ServiceAccount (kubeconfig `as:`), for helios itself.
  const config = parse(readFileSync(kubeconfigPath(), "utf8")) as { users: { user: Record<string, unknown> }[] };
  for (const u of config.users) u.user["as"] = reader;
  impersonating = join(mkdtempSync(join(tmpdir(), "helios-audit-rbac-")), "kubeconfig");
  writeFileSync(impersonating, stringify(config));
});

afterAll(async () => {
  await kubectl(["delete", "namespace", nsA, nsB, "--wait=false"]);
});

describe("audit chunks and RBAC", () => {
  it("kubectl --as the ServiceAccount lists A's chunks and is forbidden B's", async () => {
    const own = await kubectl(["get", "haudit", "-n", nsA, `--as=${reader}`, "-o", "name"]);
    expect(own.code).toBe(0);
    expect(own.stdout.trim().split("\n").length).toBeGreaterThan(0);
    const foreign = await kubectl(["get", "haudit", "-n", nsB, `--as=${reader}`, "-o", "name"]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/forbidden/i);
    const writes = await kubectl(["auth", "can-i", "create", "auditlogs.helios.dev", "-n", nsA, `--as=${reader}`]);
    expect(writes.stdout.trim()).toBe("no");
  });

  it("helios audit as the ServiceAccount reads A's history and names the denial for B", async () => {
    const own = await helios(["audit", "--kubeconfig", impersonating, "-n", nsA, "-o", "json"]);
    expect(own.code).toBe(0);
    const rows = JSON.parse(own.stdout) as AuditRow[];
    expect(rows.map((r) => r.name)).toEqual(["job-a", "job-a", "job-a"]);
    const foreign = await helios(["audit", "--kubeconfig", impersonating, "-n", nsB]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain(`not allowed to list auditlogs.helios.dev in namespace "${nsB}"`);
    const everywhere = await helios(["audit", "--kubeconfig", impersonating, "-A"]);
    expect(everywhere.code).toBe(1);
    expect(everywhere.stderr).toContain("not allowed to list auditlogs.helios.dev across all namespaces");
  });
});
