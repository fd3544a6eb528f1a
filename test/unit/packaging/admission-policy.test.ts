// Where the agents' identity lives and which admission policies the chart renders for whom. What the
// policies refuse is proven on the real apiserver (test/integration/security/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderJsonBoundsPolicy } from "../../../hack/generate-crds.js";
import { INSTALL_YAML } from "../../../hack/render-manifests.js";
import { jsonBoundsPolicySpec } from "../../../src/api/index.js";
import { CHART, ROOT, helm, parseObjects, render, type K8sObject } from "./chart.js";

interface Policy {
  readonly matchConstraints: { readonly namespaceSelector?: unknown; readonly resourceRules: { readonly resources: string[] }[] };
  readonly matchConditions: { readonly name: string; readonly expression: string }[];
}

const DEFAULT_POLICIES = ["audit-log-writers", "json-bounds"].flatMap((p) => [`ValidatingAdmissionPolicy/helios-${p}`, `ValidatingAdmissionPolicyBinding/helios-${p}`]);
const POLICY_KINDS = new Set(["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
const policies = (objects: readonly K8sObject[]): string[] => objects.filter((o) => POLICY_KINDS.has(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`);
const specOf = (objects: readonly K8sObject[], name: string): Policy => {
  const found = objects.find((o) => o.kind === "ValidatingAdmissionPolicy" && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ValidatingAdmissionPolicy ${name}`);
  return found["spec"] as Policy;
};
/** Every object of the agents' identity: named helios-agent*, wherever it lands. */
const agentIdentity = (objects: readonly K8sObject[]): string[] =>
  objects.filter((o) => o.metadata.name.startsWith("helios-agent") && !POLICY_KINDS.has(o.kind)).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);

describe("the agents' identity", () => {
  it("does not exist without agents.namespace", async () => {
    expect(agentIdentity(await render())).toEqual([]);
  });

  it("lives in the namespace the agents serve, with only the control-flag read in the release namespace", async () => {
    expect(agentIdentity(await render({ "agents.namespace": "tenant-a" })).sort()).toEqual(
      [
        "ServiceAccount/tenant-a/helios-agent",
        "Role/tenant-a/helios-agent",
        "RoleBinding/tenant-a/helios-agent",
        "Role/helios-system/helios-agent-control-flags",
        "RoleBinding/helios-system/helios-agent-control-flags",
      ].sort(),
    );
  });

  it.each<[string, string[], string]>([
    ["an agent pool without a namespace", ["--set", "agents.enabled=true"], "agents.namespace is required with agents.enabled=true"],
    ["agents serving the release namespace", ["--set", "agents.namespace=helios-system"], 'agents.namespace must not be the release namespace "helios-system"'],
    ["a namespace that is not a DNS label", ["--set", "agents.namespace=x/Team_A"], "at '/agents/namespace'"],
  ])("refuses %s", async (_what, sets, message) => {
    const res = await helm(["template", "helios", CHART, "--namespace", "helios-system", ...sets]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(message);
  });
});

describe("admission policies", () => {
  it("are on by default: the AuditLog writers' policy, for the operator's ServiceAccount, and the JSON bounds", async () => {
    const objects = await render();
    expect(policies(objects).sort()).toEqual(DEFAULT_POLICIES.sort());
    const audit = specOf(objects, "helios-audit-log-writers");
    expect(audit.matchConditions).toEqual([{ name: "not-the-operator", expression: "request.userInfo.username != 'system:serviceaccount:helios-system:helios-operator'" }]);
    // Every namespace: the operator watches them all.
    expect(audit.matchConstraints.namespaceSelector).toBeUndefined();
    expect(audit.matchConstraints.resourceRules.flatMap((r) => r.resources)).toEqual(["auditlogs", "auditlogs/*"]);
  });

  it("hold the agents' identity (ServiceAccount + bound pod) to itself once there is one", async () => {
    const objects = await render({ "agents.namespace": "tenant-a", "agents.serviceAccount.name": "workers" });
    expect(policies(objects).sort()).toEqual(
      ["agent-identity", "agent-job-status", "audit-log-writers", "json-bounds"].flatMap((p) => [`ValidatingAdmissionPolicy/helios-${p}`, `ValidatingAdmissionPolicyBinding/helios-${p}`]).sort(),
    );
    for (const name of ["helios-agent-identity", "helios-agent-job-status"]) {
      expect(specOf(objects, name).matchConditions).toEqual([{ name: "agent-identity", expression: "request.userInfo.username == 'system:serviceaccount:tenant-a:workers'" }]);
    }
    // Everything of Helios and the Leases: what RBAC grants it is narrowed, what it might be granted later refused.
    expect(specOf(objects, "helios-agent-identity").matchConstraints.resourceRules.flatMap((r) => r.resources)).toEqual(["*/*", "leases"]);
  });

  it("cover only the operator's namespaces when it watches some", async () => {
    const objects = await render({ watchNamespaces: "{a,b}" });
    const audit = specOf(objects, "helios-audit-log-writers");
    expect(audit.matchConstraints.namespaceSelector).toEqual({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["a", "b", "helios-system"] }] });
    const bounds = objects.find((o) => o.kind === "ValidatingAdmissionPolicyBinding" && o.metadata.name === "helios-json-bounds");
    expect(bounds?.["spec"]).toMatchObject({ matchResources: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["a", "b"] }] } } });
  });

  it("bound JSON with the CEL generated from LIMITS (run make crds when it is stale)", async () => {
    expect(readFileSync(join(CHART, "files/json-bounds-policy.yaml"), "utf8") === renderJsonBoundsPolicy(), "charts/helios/files/json-bounds-policy.yaml is stale: run make crds").toBe(true);
    expect(specOf(await render(), "helios-json-bounds")).toMatchObject(JSON.parse(JSON.stringify(jsonBoundsPolicySpec())) as object);
  });

  it("can be turned off", async () => {
    expect(policies(await render({ "agents.namespace": "tenant-a", "admissionPolicy.enabled": "false" }))).toEqual([]);
  });

  it("ship in manifests/install.yaml", () => {
    const objects = parseObjects(readFileSync(join(ROOT, INSTALL_YAML), "utf8"));
    expect(policies(objects).sort()).toEqual(DEFAULT_POLICIES.sort());
  });
});
