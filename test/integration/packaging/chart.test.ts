// The Helm chart against the real apiserver and the real helm CLI: lint, server dry-run, install/uninstall, schema, RBAC.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AuthorizationV1Api } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUP, HELIOS_RESOURCES } from "../../../src/api/index.js";
import { binaries, createNamespace, kubeConfig, kubeconfigPath, kubectl, type CommandResult } from "../support/cluster.js";
import { eventually } from "../support/poll.js";

const root = join(import.meta.dirname, "../../..");
const chart = join(root, "charts/helios");
const CRDS = HELIOS_RESOURCES.map((r) => `${r.plural}.${GROUP}`).sort();
/**
 * Every optional part (the chart's ci/all-options-values.yaml) but those needing a third-party CRD
 * (ServiceMonitor and PrometheusRule need prometheus-operator's), with the agents serving `agentNs`.
 */
const allOn = (agentNs: string): string[] => [
  "--values", join(chart, "ci/all-options-values.yaml"),
  // prometheus-operator's kinds are not installed here.
  "--set", "metrics.serviceMonitor.enabled=false", "--set", "metrics.prometheusRule.enabled=false",
  "--set", `agents.namespace=${agentNs}`,
];
/**
 * The global setup applied crds/ to the shared cluster and every test file uses them, so releases here
 * leave the CRDs out (helm would refuse to take over CRDs it did not create); crd-upgrade.test.ts
 * installs them with the chart on a private control plane.
 */
const SHARED_CRDS = ["--set", "crds.enabled=false"];

function helm(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(binaries().helm, [...args, "--kubeconfig", kubeconfigPath()], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`helm failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

async function ok(run: Promise<CommandResult>, what: string): Promise<string> {
  const res = await run;
  expect(res.code, `${what}: ${res.stderr}`).toBe(0);
  return res.stdout;
}


/** A release name per namespace, so cluster-scoped objects (ClusterRole, admission policy) never collide. */
const releaseFor = (ns: string): string => `helios-${ns.split("-").at(-1) ?? "x"}`;

/**
 * Asks the real RBAC authorizer whether a ServiceAccount of `saNamespace` may `verb` the `resource`
 * ("plural.group/subresource", e.g. "jobs.helios.dev/status"; a core resource has no group) in
 * `namespace` ("" for all namespaces).
 */
async function serviceAccountCan(saNamespace: string, user: string, verb: string, resource: string, namespace: string, name?: string): Promise<boolean> {
  const [qualified = "", subresource] = resource.split("/");
  const dot = qualified.indexOf(".");
  const [plural, group] = dot < 0 ? [qualified, ""] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
  const review = await kubeConfig()
    .makeApiClient(AuthorizationV1Api)
    .createSubjectAccessReview({
      body: {
        spec: {
          user,
          groups: ["system:serviceaccounts", `system:serviceaccounts:${saNamespace}`, "system:authenticated"],
          resourceAttributes: { verb, group, resource: plural, namespace, ...(subresource ? { subresource } : {}), ...(name ? { name } : {}) },
        },
      },
    });
  return review.status?.allowed === true;
}

describe("helm lint", () => {
  it.each([
    ["default values", [] as string[]],
    ["every option on", [...allOn("tenant-a"), "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.prometheusRule.enabled=true"]],
  ])("passes --strict with %s", async (_what, sets) => {
    const out = await ok(helm(["lint", "--strict", chart, ...sets]), "helm lint");
    expect(out).toContain("1 chart(s) linted, 0 chart(s) failed");
  });
});

describe("rendered manifests on the real apiserver", () => {
  let ns: string;
  let agentNs: string;
  beforeAll(async () => {
    [ns, agentNs] = await Promise.all([createNamespace("pkg-dry"), createNamespace("pkg-dry-agents")]);
  });

  it("helm template | kubectl apply --dry-run=server accepts every object", async () => {
    const rendered = await ok(helm(["template", releaseFor(ns), chart, "--namespace", ns, ...allOn(agentNs)]), "helm template");
    const out = await ok(kubectl(["apply", "--dry-run=server", "-f", "-"], { input: rendered }), "kubectl apply --dry-run=server");
    for (const kind of ["deployment.apps", "clusterrole.rbac.authorization.k8s.io", "validatingadmissionpolicy.admissionregistration.k8s.io"]) {
      expect(out).toContain(`${kind}/`);
    }
  });

  it("manifests/install.yaml passes a server dry-run too (its Namespace swapped for an existing one)", async () => {
    const docs = readFileSync(join(root, "manifests/install.yaml"), "utf8").split(/^---$/m);
    // A dry-run creates nothing, so objects in a namespace the same file creates would be refused.
    const body = docs
      .filter((d) => !/^kind: Namespace$/m.test(d))
      .join("---")
      .replaceAll("namespace: helios-system", `namespace: ${ns}`);
    await ok(kubectl(["apply", "--dry-run=server", "-f", "-"], { input: body }), "kubectl apply --dry-run=server install.yaml");
  });
});

describe("helm install and uninstall", () => {
  let ns: string;
  let agentNs: string;
  let release: string;
  let installOutput: string;
  beforeAll(async () => {
    [ns, agentNs] = await Promise.all([createNamespace("pkg-inst"), createNamespace("pkg-inst-agents")]);
    release = releaseFor(ns);
    // No --wait: this control plane has no nodes, so pods never run; objects are what is checked.
    installOutput = await ok(helm(["install", release, chart, "--namespace", ns, ...allOn(agentNs), ...SHARED_CRDS]), "helm install");
  });
  afterAll(async () => {
    await helm(["uninstall", release, "--namespace", ns, "--ignore-not-found"]);
  });

  /** [kind, name, namespace]: the operator's objects in the release namespace, the agents' where they serve. */
  const namespaced = () => [
    ["deployment", `${release}-operator`, ns],
    ["deployment", `${release}-agent`, agentNs],
    ["serviceaccount", `${release}-operator`, ns],
    ["serviceaccount", `${release}-agent`, agentNs],
    ["role.rbac.authorization.k8s.io", `${release}-operator`, ns],
    ["rolebinding.rbac.authorization.k8s.io", `${release}-operator`, ns],
    ["role.rbac.authorization.k8s.io", `${release}-agent`, agentNs],
    ["rolebinding.rbac.authorization.k8s.io", `${release}-agent`, agentNs],
    ["role.rbac.authorization.k8s.io", `${release}-agent-control-flags`, ns],
    ["rolebinding.rbac.authorization.k8s.io", `${release}-agent-control-flags`, ns],
    ["service", `${release}-operator-metrics`, ns],
    ["poddisruptionbudget", `${release}-operator`, ns],
    ["configmap", `${release}-dashboard`, ns],
  ];
  const clusterScoped = () => [
    ["clusterrole", `${release}-operator`],
    ["clusterrolebinding", `${release}-operator`],
    ...["agent-identity", "agent-job-status", "audit-log-writers"].flatMap((p) => [
      ["validatingadmissionpolicy", `${release}-${p}`],
      ["validatingadmissionpolicybinding", `${release}-${p}`],
    ]),
  ];

  it("installs every object and prints NOTES telling the user what to run next", async () => {
    expect(installOutput).toContain("STATUS: deployed");
    expect(installOutput).toContain("kubectl get helios -A");
    expect(installOutput).toContain(`kubectl -n ${agentNs} wait --for=condition=Complete hjob/hello`);
    for (const [kind, name, where] of namespaced()) await ok(kubectl(["get", kind ?? "", name ?? "", "-n", where ?? ""]), `get ${kind} ${name}`);
    // Nothing of the agents' identity in the operator's namespace but the control-flag read.
    for (const kind of ["serviceaccount", "role.rbac.authorization.k8s.io", "rolebinding.rbac.authorization.k8s.io"]) {
      expect((await kubectl(["get", kind, `${release}-agent`, "-n", ns])).code, `${kind} ${release}-agent in ${ns}`).not.toBe(0);
    }
    for (const [kind, name] of clusterScoped()) await ok(kubectl(["get", kind ?? "", name ?? ""]), `get ${kind} ${name}`);
  });

  it("gives the operator's ServiceAccount what it uses and nothing more (real RBAC authorizer)", async () => {
    const can = (user: string, verb: string, resource: string, namespace: string, name?: string) => serviceAccountCan(ns, user, verb, resource, namespace, name);
    const operator = `system:serviceaccount:${ns}:${release}-operator`;
    const agent = `system:serviceaccount:${agentNs}:${release}-agent`;
    const tenant = "some-tenant";
    const allowed: [string, string, string, string, string?][] = [
      [operator, "watch", "jobs.helios.dev", tenant],
      [operator, "update", "jobs.helios.dev/status", tenant],
      [operator, "delete", "jobs.helios.dev", tenant],
      [operator, "patch", "agents.helios.dev/status", tenant],
      [operator, "list", "leases.coordination.k8s.io", tenant],
      [operator, "create", "auditlogs.helios.dev", tenant],
      [operator, "delete", "auditlogs.helios.dev", tenant],
      [operator, "create", "events.events.k8s.io", tenant],
      [operator, "create", "leases.coordination.k8s.io", ns],
      [operator, "update", "leases.coordination.k8s.io", ns, "helios-operator-leader"],
      [agent, "create", "agents.helios.dev", agentNs],
      [agent, "update", "leases.coordination.k8s.io", agentNs],
      [agent, "watch", "jobs.helios.dev", agentNs],
      [agent, "update", "jobs.helios.dev/status", agentNs],
      [agent, "list", "featureflags.helios.dev", ns],
      // metrics.secure: the operator reviews scrapers' tokens and rights.
      [operator, "create", "tokenreviews.authentication.k8s.io", ""],
      [operator, "create", "subjectaccessreviews.authorization.k8s.io", ""],
    ];
    const denied: [string, string, string, string, string?][] = [
      [operator, "create", "jobs.helios.dev", tenant],
      [operator, "update", "jobs.helios.dev", tenant],
      [operator, "get", "secrets", tenant],
      [operator, "update", "leases.coordination.k8s.io", tenant],
      [operator, "update", "leases.coordination.k8s.io", ns, "someone-elses-lease"],
      [operator, "update", "featureflags.helios.dev", ns],
      [agent, "watch", "jobs.helios.dev", tenant],
      [agent, "delete", "jobs.helios.dev", agentNs],
      [agent, "update", "jobs.helios.dev", agentNs],
      [agent, "update", "agents.helios.dev/status", agentNs],
      [agent, "update", "agents.helios.dev", agentNs],
      [agent, "create", "events.events.k8s.io", agentNs],
      [agent, "create", "auditlogs.helios.dev", agentNs],
      [operator, "list", "namespaces", ""],
      [agent, "update", "featureflags.helios.dev", ns],
      [agent, "get", "secrets", agentNs],
      // The operator's namespace: its leader Lease is beyond any agent's reach.
      [agent, "update", "leases.coordination.k8s.io", ns, "helios-operator-leader"],
      [agent, "create", "leases.coordination.k8s.io", ns],
      [agent, "watch", "jobs.helios.dev", ns],
      [agent, "create", "tokenreviews.authentication.k8s.io", ""],
      [agent, "create", "subjectaccessreviews.authorization.k8s.io", ""],
    ];
    const wrong: string[] = [];
    for (const [user, verb, resource, namespace, name] of allowed) {
      if (!(await can(user, verb, resource, namespace, name))) wrong.push(`denied but needed: ${user} ${verb} ${resource} in ${namespace}`);
    }
    for (const [user, verb, resource, namespace, name] of denied) {
      if (await can(user, verb, resource, namespace, name)) wrong.push(`allowed but not needed: ${user} ${verb} ${resource} in ${namespace}`);
    }
    expect(wrong).toEqual([]);
  });

  it("uninstall removes everything, and the shared CRDs stay", async () => {
    await ok(helm(["uninstall", release, "--namespace", ns]), "helm uninstall");
    for (const [kind, name, where] of namespaced()) {
      await eventually(async () => ((await kubectl(["get", kind ?? "", name ?? "", "-n", where ?? ""])).code !== 0 ? true : undefined), `${kind}/${name} to go`);
    }
    for (const [kind, name] of clusterScoped()) {
      await eventually(async () => ((await kubectl(["get", kind ?? "", name ?? ""])).code !== 0 ? true : undefined), `${kind}/${name} to go`);
    }
    // This release left the CRDs out; crd-upgrade.test.ts shows an uninstall keeping the chart's own.
    for (const crd of CRDS) {
      const established = await ok(kubectl(["get", "crd", crd, "-o", "jsonpath={.status.conditions[?(@.type=='Established')].status}"]), crd);
      expect(established).toBe("True");
    }
    expect((await ok(helm(["list", "--namespace", ns, "--short"]), "helm list")).trim()).toBe("");
  });
});

describe("helm install with watchNamespaces (namespaced RBAC)", () => {
  let ns: string;
  let release: string;
  let watched: string[];
  beforeAll(async () => {
    ns = await createNamespace("pkg-nsrbac");
    release = releaseFor(ns);
    watched = await Promise.all([createNamespace("pkg-team-a"), createNamespace("pkg-team-b")]);
    await ok(helm(["install", release, chart, "--namespace", ns, "--set", `watchNamespaces={${watched.join(",")}}`, ...SHARED_CRDS]), "helm install");
  });
  afterAll(async () => {
    await helm(["uninstall", release, "--namespace", ns, "--ignore-not-found"]);
  });

  it("installs a Role and RoleBinding per watched namespace and no ClusterRole", async () => {
    for (const namespace of watched) {
      await ok(kubectl(["get", "role.rbac.authorization.k8s.io", `${release}-operator-watched`, "-n", namespace]), `Role in ${namespace}`);
      await ok(kubectl(["get", "rolebinding.rbac.authorization.k8s.io", `${release}-operator-watched`, "-n", namespace]), `RoleBinding in ${namespace}`);
    }
    expect((await kubectl(["get", "clusterrole", `${release}-operator`])).code).not.toBe(0);
    expect((await kubectl(["get", "clusterrolebinding", `${release}-operator`])).code).not.toBe(0);
  });

  it("lets the operator read Leases only where it watches, and keeps its own namespace's rights (real RBAC authorizer)", async () => {
    const operator = `system:serviceaccount:${ns}:${release}-operator`;
    const can = (verb: string, resource: string, namespace: string, name?: string) => serviceAccountCan(ns, operator, verb, resource, namespace, name);
    const [teamA = "", teamB = ""] = watched;
    const wrong: string[] = [];
    const expectAccess = async (allowed: boolean, verb: string, resource: string, namespace: string, name?: string): Promise<void> => {
      if ((await can(verb, resource, namespace, name)) !== allowed) wrong.push(`${allowed ? "denied" : "allowed"}: ${verb} ${resource} in "${namespace}"`);
    };
    for (const namespace of [teamA, teamB]) {
      await expectAccess(true, "watch", "leases.coordination.k8s.io", namespace);
      await expectAccess(true, "watch", "jobs.helios.dev", namespace);
      await expectAccess(true, "update", "jobs.helios.dev/status", namespace);
      await expectAccess(true, "create", "auditlogs.helios.dev", namespace);
      await expectAccess(true, "create", "events.events.k8s.io", namespace);
    }
    // Node Leases and every other namespace are out of reach, and nothing is granted cluster-wide.
    await expectAccess(false, "list", "leases.coordination.k8s.io", "kube-node-lease");
    await expectAccess(false, "list", "leases.coordination.k8s.io", "");
    await expectAccess(false, "list", "jobs.helios.dev", "");
    await expectAccess(false, "watch", "jobs.helios.dev", "default");
    // Its own namespace: leader election and the control flags (read, validated, audited, Events).
    await expectAccess(true, "create", "leases.coordination.k8s.io", ns);
    await expectAccess(true, "update", "leases.coordination.k8s.io", ns, "helios-operator-leader");
    await expectAccess(true, "watch", "featureflags.helios.dev", ns);
    await expectAccess(true, "patch", "featureflags.helios.dev/status", ns);
    await expectAccess(true, "create", "auditlogs.helios.dev", ns);
    await expectAccess(true, "create", "events.events.k8s.io", ns);
    await expectAccess(false, "list", "leases.coordination.k8s.io", ns);
    await expectAccess(false, "watch", "jobs.helios.dev", ns);
    expect(wrong).toEqual([]);
  });
});

describe("helm install with bad values", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace("pkg-bad");
  });

  it.each([
    ["replicaCount: -1", ["--set", "replicaCount=-1"], "at '/replicaCount': minimum: got -1, want 0"],
    ["logLevel: loud", ["--set", "logLevel=loud"], "at '/logLevel': value must be one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal'"],
    ["a duration without a unit", ["--set-string", "timing.agentStaleTimeout=90"], "at '/timing/agentStaleTimeout'"],
  ])("%s fails with the schema's message and installs nothing", async (_what, sets, message) => {
    const res = await helm(["install", releaseFor(ns), chart, "--namespace", ns, ...sets, ...SHARED_CRDS]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("values don't meet the specifications of the schema(s)");
    expect(res.stderr).toContain(message);
    expect((await ok(helm(["list", "--namespace", ns, "--all", "--short"]), "helm list")).trim()).toBe("");
    expect((await ok(kubectl(["get", "deployments", "-n", ns, "-o", "name"]), "get deployments")).trim()).toBe("");
  });
});

describe("agent job-status policy (on by default)", () => {
  let releaseNs: string;
  /** The namespace the agents serve: the jobs live there. */
  let ns: string;
  let release: string;
  let agentUser: string;
  beforeAll(async () => {
    [releaseNs, ns] = await Promise.all([createNamespace("pkg-vap-sys"), createNamespace("pkg-vap")]);
    release = releaseFor(releaseNs);
    await ok(helm(["install", release, chart, "--namespace", releaseNs, "--set", `agents.namespace=${ns}`, "--set", `watchNamespaces={${ns}}`, ...SHARED_CRDS]), "helm install");
    agentUser = `system:serviceaccount:${ns}:${release}-agent`;
  });
  afterAll(async () => {
    await helm(["uninstall", release, "--namespace", releaseNs, "--ignore-not-found"]);
  });

  interface JobObject {
    metadata: { name: string; resourceVersion?: string };
    status?: Record<string, unknown>;
  }

  /** Creates a Job and, as the operator would, assigns attempt 1 to agent-1. */
  async function assignedJob(name: string): Promise<void> {
    await ok(
      kubectl(["create", "-n", ns, "-f", "-"], {
        input: JSON.stringify({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name }, spec: { type: "echo" } }),
      }),
      "create job",
    );
    const status = { phase: "Assigned", attempt: 1, assignedAgent: "agent-1", assignedAt: new Date().toISOString() };
    await ok(kubectl(["patch", "hjob", name, "-n", ns, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]), "assign");
  }

  /** PUTs the job's status with the resourceVersion read, as `user` (an agent pod by default), the way Helios writes. */
  async function writeStatus(name: string, change: Record<string, unknown>, impersonate: readonly string[]): Promise<CommandResult> {
    const job = JSON.parse(await ok(kubectl(["get", "hjob", name, "-n", ns, "-o", "json"]), "get job")) as JobObject;
    job.status = { ...job.status, ...change };
    return kubectl(["replace", "--subresource=status", "-f", "-", ...impersonate], { input: JSON.stringify(job) });
  }
  const agentWrites = (name: string, change: Record<string, unknown>, podName = "agent-1") =>
    writeStatus(name, change, ["--as", agentUser, `--as-user-extra=authentication.kubernetes.io/pod-name=${podName}`]);

  it("lets the assigned agent move its job forward", async () => {
    await assignedJob("forward");
    // The policy is enforced once the apiserver has compiled it: wait until a foreign agent is refused.
    await eventually(async () => ((await agentWrites("forward", { phase: "Running" }, "agent-2")).code !== 0 ? true : undefined), "the policy to be enforced");
    await ok(agentWrites("forward", { phase: "Running", startedAt: new Date().toISOString() }), "Assigned -> Running");
    await ok(agentWrites("forward", { phase: "Succeeded", finishedAt: new Date().toISOString() }), "Running -> Succeeded");
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ["another agent's job", { phase: "Running" }, "agent-2", "an agent may change only the status of jobs assigned to it"],
    ["a changed attempt (fencing token)", { attempt: 2 }, "agent-1", "may not change status.assignedAgent or status.attempt"],
    ["a move backwards", { phase: "Pending" }, "agent-1", "an agent may move a job only forward"],
    ["a decision that is the operator's", { phase: "Failed" }, "agent-1", "an agent may move a job only forward"],
    ["a changed retry count", { retries: 1 }, "agent-1", "only the operator changes status.retries"],
  ])("refuses %s", async (_what, change, podName, message) => {
    const name = `deny-${Object.keys(change).join("-").toLowerCase()}-${podName}-${String(Object.values(change)[0]).toLowerCase()}`;
    await assignedJob(name);
    const res = await eventually(async () => {
      const r = await agentWrites(name, change, podName);
      return r.code !== 0 ? r : undefined;
    }, "the policy to refuse the write");
    expect(res.stderr).toContain(message);
  });

  it("leaves the operator's writes alone (a requeue)", async () => {
    await assignedJob("operator-requeue");
    const operator = ["--as", `system:serviceaccount:${releaseNs}:${release}-operator`];
    await ok(writeStatus("operator-requeue", { phase: "Pending", retries: 1, assignedAgent: "" }, operator), "requeue as the operator");
  });
});
