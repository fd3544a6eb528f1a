// Every RBAC rule the chart can render: no wildcards anywhere, and exactly the verbs the operator and agents use.
import { describe, expect, it } from "vitest";
import { findObject, render, type K8sObject } from "./chart.js";

interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}

const rulesOf = (o: K8sObject): PolicyRule[] => (o["rules"] as PolicyRule[] | undefined) ?? [];
const isRole = (o: K8sObject): boolean => o.kind === "ClusterRole" || o.kind === "Role";

/** Flattens rules to "group/resource:verb" (plus "@name" when narrowed by resourceNames), sorted. */
function permissions(rules: readonly PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups ?? [])
      for (const res of r.resources ?? [])
        for (const v of r.verbs) {
          const names = r.resourceNames ?? [];
          if (names.length === 0) out.add(`${g || "core"}/${res}:${v}`);
          for (const n of names) out.add(`${g || "core"}/${res}:${v}@${n}`);
        }
  }
  return [...out].sort();
}

// Value sets covering every template branch that renders RBAC.
const VARIANTS: Record<string, Record<string, string>> = {
  defaults: {},
  "agent pool in another namespace": { "agents.enabled": "true", "agents.namespace": "tenant-a", "agents.serviceAccount.name": "workers" },
  "everything optional on": {
    "agents.enabled": "true",
    "agents.namespace": "tenant-a",
    "admissionPolicy.enabled": "true",
    "grafana.dashboard.enabled": "true",
    "metrics.serviceMonitor.enabled": "true",
    "metrics.prometheusRule.enabled": "true",
    "watchNamespaces": "{a,b}",
  },
};

describe("chart RBAC", () => {
  it.each(Object.entries(VARIANTS))("has no wildcard in any rule (%s)", async (_name, set) => {
    const roles = (await render(set)).filter(isRole);
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const role of roles) {
      for (const rule of rulesOf(role)) {
        const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
        for (const field of ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"] as const) {
          for (const value of rule[field] ?? []) expect(value.includes("*"), `wildcard in ${field}: ${where}`).toBe(false);
        }
        expect(rule.nonResourceURLs, where).toBeUndefined();
        // Verbs that hand out more power than they name.
        for (const verb of ["escalate", "bind", "impersonate", "deletecollection"]) expect(rule.verbs, where).not.toContain(verb);
        // Secrets are read by handlers by reference, never by the control plane.
        expect(rule.resources ?? [], where).not.toContain("secrets");
      }
    }
  });

  // What the operator's controllers do in every namespace they reconcile.
  const WATCHED = [
    "helios.dev/jobs:get", "helios.dev/jobs:list", "helios.dev/jobs:watch", "helios.dev/jobs:delete",
    "helios.dev/jobs/status:update", "helios.dev/jobs/status:patch",
    "helios.dev/agents:get", "helios.dev/agents:list", "helios.dev/agents:watch", "helios.dev/agents:delete",
    "helios.dev/agents/status:update", "helios.dev/agents/status:patch",
    "helios.dev/featureflags:get", "helios.dev/featureflags:list", "helios.dev/featureflags:watch",
    "helios.dev/featureflags/status:update", "helios.dev/featureflags/status:patch",
    "helios.dev/featureflagsets:get", "helios.dev/featureflagsets:list", "helios.dev/featureflagsets:watch",
    "helios.dev/auditlogs:get", "helios.dev/auditlogs:list", "helios.dev/auditlogs:watch",
    "helios.dev/auditlogs:create", "helios.dev/auditlogs:delete",
    "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:list", "coordination.k8s.io/leases:watch",
    "events.k8s.io/events:create", "events.k8s.io/events:patch",
  ].sort();
  // What it does in its own namespace, watched or not: leader election and control flags.
  const OPERATOR_NAMESPACE = [
    "coordination.k8s.io/leases:create",
    "coordination.k8s.io/leases:get@helios-operator-leader",
    "coordination.k8s.io/leases:update@helios-operator-leader",
    "helios.dev/featureflags:get", "helios.dev/featureflags:list", "helios.dev/featureflags:watch",
    "helios.dev/featureflags/status:update", "helios.dev/featureflags/status:patch",
    "helios.dev/featureflagsets:get", "helios.dev/featureflagsets:list", "helios.dev/featureflagsets:watch",
    "helios.dev/auditlogs:create",
    "events.k8s.io/events:create", "events.k8s.io/events:patch",
  ].sort();

  it("grants the operator exactly what its controllers use, cluster-wide when it watches every namespace", async () => {
    const objects = await render();
    expect(permissions(rulesOf(findObject(objects, "ClusterRole", "helios-operator")))).toEqual(WATCHED);
    const role = findObject(objects, "Role", "helios-operator");
    expect(role.metadata.namespace).toBe("helios-system");
    expect(permissions(rulesOf(role))).toEqual(OPERATOR_NAMESPACE);
    expect(objects.filter((o) => o.kind === "Role" && o.metadata.name === "helios-operator-watched")).toEqual([]);
  });

  it("with watchNamespaces, grants the same rules in a Role per watched namespace and nothing cluster-wide", async () => {
    const objects = await render({ watchNamespaces: "{team-a,team-b,helios-system}" });
    // The tenant roles stay cluster-scoped (aggregated into view, edit and admin); the operator gets nothing cluster-wide.
    const clusterWide = objects.filter((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding");
    expect(clusterWide.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ClusterRole/helios-view", "ClusterRole/helios-edit", "ClusterRole/helios-admin"]);
    const watched = objects.filter((o) => o.kind === "Role" && o.metadata.name === "helios-operator-watched");
    expect(watched.map((r) => r.metadata.namespace)).toEqual(["team-a", "team-b", "helios-system"]);
    for (const role of watched) expect(permissions(rulesOf(role)), role.metadata.namespace).toEqual(WATCHED);
    const bindings = objects.filter((o) => o.kind === "RoleBinding" && o.metadata.name === "helios-operator-watched");
    expect(bindings.map((b) => [b.metadata.namespace, b["roleRef"], b["subjects"]])).toEqual(
      ["team-a", "team-b", "helios-system"].map((ns) => [
        ns,
        { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "helios-operator-watched" },
        [{ kind: "ServiceAccount", name: "helios-operator", namespace: "helios-system" }],
      ]),
    );
    // The operator namespace keeps its own Role (leader election, control flags) beside the watched one.
    expect(permissions(rulesOf(findObject(objects, "Role", "helios-operator")))).toEqual(OPERATOR_NAMESPACE);
    // No rule anywhere reads Leases outside a namespace the operator watches or runs in.
    const leaseReaders = objects
      .filter((o) => isRole(o) && rulesOf(o).some((r) => r.resources?.includes("leases") && r.verbs.includes("list")))
      .map((o) => `${o.kind}/${o.metadata.namespace ?? ""}`);
    expect(leaseReaders).toEqual(["Role/team-a", "Role/team-b", "Role/helios-system"]);
  });

  it("grants agents only their own namespace's work, and control flags read-only", async () => {
    const objects = await render({ "agents.namespace": "tenant-a" });
    const role = findObject(objects, "Role", "helios-agent");
    expect(role.metadata.namespace).toBe("tenant-a");
    expect(permissions(rulesOf(role))).toEqual(
      [
        "helios.dev/agents:list", "helios.dev/agents:watch", "helios.dev/agents:create", "helios.dev/agents:patch",
        "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:update",
        "helios.dev/jobs:get", "helios.dev/jobs:list", "helios.dev/jobs:watch", "helios.dev/jobs/status:update",
      ].sort(),
    );
    const flags = findObject(objects, "Role", "helios-agent-control-flags");
    expect(flags.metadata.namespace).toBe("helios-system");
    expect(permissions(rulesOf(flags))).toEqual([
      "helios.dev/featureflags:get", "helios.dev/featureflags:list", "helios.dev/featureflags:watch",
      "helios.dev/featureflagsets:get", "helios.dev/featureflagsets:list", "helios.dev/featureflagsets:watch",
    ]);
    // No ClusterRole for agents: a tenant's agent never sees other namespaces. The tenant roles are
    // bound by nothing in the chart: they join view, edit and admin through aggregation labels.
    expect(objects.filter((o) => o.kind === "ClusterRole").map((o) => o.metadata.name)).toEqual(["helios-operator", "helios-view", "helios-edit", "helios-admin"]);
    expect(objects.filter((o) => o.kind === "ClusterRoleBinding").map((o) => (o["roleRef"] as { name: string }).name)).toEqual(["helios-operator"]);
  });

  it("binds each role to the matching ServiceAccount", async () => {
    const objects = await render({ "agents.namespace": "tenant-a" });
    const subjects = (name: string, kind: string) => findObject(objects, kind, name)["subjects"];
    expect(subjects("helios-operator", "ClusterRoleBinding")).toEqual([{ kind: "ServiceAccount", name: "helios-operator", namespace: "helios-system" }]);
    expect(subjects("helios-operator", "RoleBinding")).toEqual([{ kind: "ServiceAccount", name: "helios-operator", namespace: "helios-system" }]);
    expect(subjects("helios-agent", "RoleBinding")).toEqual([{ kind: "ServiceAccount", name: "helios-agent", namespace: "tenant-a" }]);
    expect(subjects("helios-agent-control-flags", "RoleBinding")).toEqual([{ kind: "ServiceAccount", name: "helios-agent", namespace: "tenant-a" }]);
    expect(findObject(objects, "ServiceAccount", "helios-agent").metadata.namespace).toBe("tenant-a");
  });

  it("renders no RBAC when rbac.create is false", async () => {
    const objects = await render({ "rbac.create": "false" });
    expect(objects.filter((o) => isRole(o) || o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")).toEqual([]);
  });
});
