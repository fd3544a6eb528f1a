// Only the operator's identity writes the audit trail (the chart's AuditLog policy, on by default):
// issue 17's tenant forged an audit chunk that `helios audit` showed like a real one, and hid chunks from
// `--since` by relabelling helios.dev/audit-day. The tenant roles refuse that by RBAC; the policy refuses
// it to every identity RBAC lets write AuditLogs (a custom Role, the agents' ServiceAccount widened by
// mistake, the cluster admin), and still lets a namespace holding chunks be deleted.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): the chart is installed without the policies, and
// each policy refusal asserts that the write is then ACCEPTED (RBAC refusals stay).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_DAY_LABEL, buildChunk } from "../../../src/audit/index.js";
import type { AuditLog } from "../../../src/api/index.js";
import { waitUntil } from "../chaos/support/processes.js";
import { kubectl, type CommandResult } from "../support/cluster.js";
import { agentKubeconfig, expectPolicyRefusal, expectRbacRefusal, installRelease, ok, policiesEnforced, uninstall, type Release } from "./support.js";

const EDITOR = "tenant-editor";
/** A user a namespace admin gave a custom Role that writes AuditLogs: RBAC lets it, the policy must not. */
const WRITER = "audit-writer";

let release: Release;
let agentA: string;

/** A chunk that looks like the operator's own (same labels, entries and naming), forged at `time`. */
function forged(time: string, message: string): AuditLog {
  return buildChunk(release.tenant, [{ time, action: "assigned", kind: "Job", name: "payroll", agent: "agent-a", actor: "helios-operator", message }]);
}

/** `kubectl <args>` on the tenant's AuditLogs as `user` (impersonated), or with `kubeconfig`. */
function asUser(user: string | undefined, args: readonly string[], input?: string, kubeconfig?: string): Promise<CommandResult> {
  return kubectl([...args, "-n", release.tenant, ...(user === undefined ? [] : ["--as", user])], { ...(input === undefined ? {} : { input }), ...(kubeconfig === undefined ? {} : { kubeconfig }) });
}
const create = (chunk: AuditLog, user?: string, kubeconfig?: string, extra: readonly string[] = []): Promise<CommandResult> =>
  asUser(user, ["create", "-f", "-", ...extra], JSON.stringify(chunk), kubeconfig);
const relabel = (name: string, day: string, user?: string): Promise<CommandResult> => asUser(user, ["label", "--overwrite", "haudit", name, `${AUDIT_DAY_LABEL}=${day}`]);
const remove = (name: string, user?: string): Promise<CommandResult> => asUser(user, ["delete", "haudit", name, "--wait=false"]);

beforeAll(async () => {
  release = await installRelease("audit");
  const writerRole = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "audit-writer", namespace: release.tenant }, rules: [{ apiGroups: ["helios.dev"], resources: ["auditlogs"], verbs: ["get", "list", "create", "update", "patch", "delete"] }] };
  const bind = (name: string, roleRef: Record<string, string>, subjects: Record<string, string>[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name, namespace: release.tenant }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects });
  const items = [
    writerRole,
    bind("audit-writer", { kind: "Role", name: "audit-writer" }, [
      { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: WRITER },
      // The agents' ServiceAccount, widened by mistake.
      { kind: "ServiceAccount", name: release.agentSa, namespace: release.tenant },
    ]),
    bind("tenant-editor", { kind: "ClusterRole", name: "edit" }, [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: EDITOR }]),
  ];
  await ok(kubectl(["apply", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items }) }), "roles");
  await waitUntil("RBAC to let the writer create AuditLogs", async () => (await kubectl(["auth", "can-i", "create", "auditlogs.helios.dev", "-n", release.tenant, "--as", WRITER])).stdout.trim() === "yes", 20_000);
  agentA = await agentKubeconfig(release, "agent-a");
  await policiesEnforced({ "the admin's chunk": () => create(forged("2026-01-01T00:00:00Z", "probe"), undefined, undefined, ["--dry-run=server"]) });
}, 180_000);

afterAll(async () => {
  if (release !== undefined) await uninstall(release);
});

describe("AuditLog chunks are the operator's to write", () => {
  it("the operator's ServiceAccount creates and deletes chunks (retention); chunks are immutable, so its RBAC changes none", async () => {
    const chunk = forged("2026-01-02T00:00:00Z", "written by the operator");
    await ok(create(chunk, release.operatorUser), "create as the operator");
    await ok(remove(chunk.metadata.name ?? "", release.operatorUser), "delete as the operator");
  });

  it("a tenant with the edit role may neither forge nor relabel a chunk (RBAC)", async () => {
    const real = forged("2026-01-04T00:00:00Z", "real");
    await ok(create(real, release.operatorUser), "a real chunk");
    await expectRbacRefusal(create(forged("2026-01-04T00:00:01Z", "forged"), EDITOR), EDITOR, "create", "auditlogs");
    await expectRbacRefusal(relabel(real.metadata.name ?? "", "2020-01-01", EDITOR), EDITOR, "patch", "auditlogs");
  });

  it("an identity RBAC lets write AuditLogs may not forge, relabel or delete a chunk (the policy)", async () => {
    const real = forged("2026-01-05T00:00:00Z", "real");
    await ok(create(real, release.operatorUser), "a real chunk");
    const refusal = `only the Helios operator (${release.operatorUser}) creates, changes or deletes AuditLog chunks, not ${WRITER}`;
    await expectPolicyRefusal(create(forged("2026-01-05T00:00:01Z", "forged"), WRITER), refusal);
    // Hiding a chunk from `helios audit --since` by moving its day label.
    await expectPolicyRefusal(relabel(real.metadata.name ?? "", "2020-01-01", WRITER), refusal);
    await expectPolicyRefusal(remove(real.metadata.name ?? "", WRITER), refusal);
  });

  it("nor may the agents' ServiceAccount widened by RBAC, nor the cluster admin", async () => {
    await expectPolicyRefusal(create(forged("2026-01-06T00:00:00Z", "by an agent"), undefined, agentA), /only the Helios operator|an agent may write only its own Agent and Lease/);
    await expectPolicyRefusal(create(forged("2026-01-06T00:00:01Z", "by the admin"), undefined), `only the Helios operator (${release.operatorUser}) creates, changes or deletes AuditLog chunks, not admin`);
  });

  it("a namespace holding chunks can still be deleted (its deletes are let through while it terminates)", async () => {
    await ok(create(forged("2026-01-07T00:00:00Z", "kept"), release.operatorUser), "a chunk");
    await ok(kubectl(["delete", "namespace", release.tenant, "--wait=false"]), "delete the namespace");
    await waitUntil("the tenant namespace gone", async () => (await kubectl(["get", "namespace", release.tenant])).code !== 0, 90_000);
    expect((await kubectl(["get", "namespace", release.tenant])).stderr).toContain("NotFound");
  });
});
