// The chart's RBAC is sufficient: the operator and an SDK agent, each impersonating the chart's ServiceAccount, run the job lifecycle without one 403.
//
// Flow: `helm template` (release namespace helios-rbac-*, agents serving a tenant namespace) → only the
// ServiceAccounts, Roles, ClusterRoles and their bindings are applied (no kubelet here, pods never run)
// → the operator runs in this process with the flags of the chart's own Deployment (leader election on,
// so the Lease rule is exercised), and an agent plus its control-flag watch run as the agent's
// ServiceAccount → echo, retry, pause/resume, audit chunk and Events are checked, and every Forbidden
// answer any Transport of this process got, or any warning logged about one, fails the test.
//
// Mutation check: HELIOS_RBAC_SMOKE_DROP=<Kind>[/<name suffix>]:<group>/<resource>:<verb> (e.g.
// `Role/operator-watched:helios.dev/jobs/status:update`, `Role/operator:coordination.k8s.io/leases:update`,
// group `core` for "") removes that one permission from the applied roles; the test must then fail,
// naming the refused request.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinHandlers, createAgent, type HeliosAgent } from "../../../src/agent/index.js";
import {
  AGENT_TYPE,
  AUDIT_LOG_TYPE,
  CONTROL_FLAG_KEYS,
  FEATURE_FLAG_TYPE,
  JOB_TYPE,
  type Agent,
  type AuditLog,
  type FeatureFlag,
  type Job,
  type JobSpec,
} from "../../../src/api/index.js";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import type { ControlFlags } from "../../../src/api/index.js";
import { watchControlFlags } from "../../../src/flags/index.js";
import { EVENTS, LEASES, ResourceClient, Transport, isApiError, type KubeEvent, type Lease } from "../../../src/runtime/client/index.js";
import { OPERATOR_FLAGS, flagAttribute, resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import type { Manager } from "../../../src/runtime/manager/index.js";
import { binaries, createNamespace, impersonating, kubeConfig, kubectl, warningLogger, type CommandResult } from "../support/cluster.js";

const ROOT = join(import.meta.dirname, "../../..");
const CHART = join(ROOT, "charts/helios");
type RequestOptions = Parameters<Transport["request"]>[0];
const RBAC_KINDS = new Set(["ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}
interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}
interface OperatorDeployment extends RenderedObject {
  readonly spec: { readonly template: { readonly spec: { readonly serviceAccountName: string; readonly containers: { readonly args: string[] }[] } } };
}

function helm(args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(binaries().helm, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(new Error(`helm failed to run: ${err.message}`, { cause: err }));
      resolve({ code: typeof err?.code === "number" ? err.code : 0, stdout, stderr });
    });
  });
}

function parseObjects(text: string): RenderedObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as RenderedObject | null)
    .filter((o): o is RenderedObject => o !== null);
}

function find<T extends RenderedObject>(objects: readonly RenderedObject[], kind: string, component: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.labels?.["app.kubernetes.io/component"] === component);
  if (found === undefined) throw new Error(`the chart rendered no ${component} ${kind}`);
  return found as T;
}

/** The roles with one permission ("Kind:group/resource:verb") removed: the mutation check of this file. */
function withoutPermission(objects: readonly RenderedObject[], drop: string): RenderedObject[] {
  const [role = "", groupResource = "", verb] = drop.split(":");
  const [kind, suffix = ""] = role.split("/");
  const slash = groupResource.indexOf("/");
  const [group, resource] = [groupResource.slice(0, slash), groupResource.slice(slash + 1)];
  return objects.map((o) => {
    if (o.kind !== kind || !o.metadata.name.endsWith(suffix)) return o;
    const rules = (o["rules"] as PolicyRule[]).flatMap((r): PolicyRule[] => {
      const hit = (r.apiGroups ?? []).includes(group === "core" ? "" : group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb ?? "");
      if (!hit) return [r];
      const others = (r.resources ?? []).filter((x) => x !== resource);
      const verbs = r.verbs.filter((v) => v !== verb);
      return [...(others.length > 0 ? [{ ...r, resources: others }] : []), ...(verbs.length > 0 ? [{ ...r, resources: [resource], verbs }] : [])];
    });
    return { ...o, rules };
  });
}

/** The operator's flags exactly as the chart's Deployment passes them (RawFlags for resolveOperatorConfig). */
function deploymentFlags(deployment: OperatorDeployment): Record<string, string | string[]> {
  const [command, ...args] = deployment.spec.template.spec.containers[0]?.args ?? [];
  expect(command).toBe("operator");
  const flags: Record<string, string | string[]> = {};
  for (const arg of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const spec = OPERATOR_FLAGS.find((f) => f.flag === m?.[1]);
    if (m === null || spec === undefined) throw new Error(`the chart passes a flag the operator does not know: ${arg}`);
    const key = flagAttribute(spec.flag);
    const value = m[2] ?? "true";
    const prev = flags[key];
    flags[key] = spec.kind === "strings" ? [...(Array.isArray(prev) ? prev : []), value] : value;
  }
  return flags;
}

/**
 * Records every Forbidden answer of every Transport in this process (operator informers and writes,
 * agent, flag watch). Patching the prototype is the one seam that reaches the Transports the agent
 * and the operator build for themselves; `restore` puts the originals back.
 */
function recordForbidden(): { readonly seen: string[]; restore(): void } {
  const seen: string[] = [];
  const proto = Transport.prototype;
  // The originals are only ever called with `.call(this, ...)` below.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { request, stream } = proto;
  const note = (options: Pick<RequestOptions, "path">, method: string, err: unknown): void => {
    if (isApiError(err, "Forbidden")) seen.push(`${method} ${options.path}: ${err.message}`);
  };
  proto.request = async function (this: Transport, options: RequestOptions) {
    try {
      return await request.call(this, options);
    } catch (err) {
      note(options, options.method, err);
      throw err;
    }
  } as Transport["request"];
  proto.stream = async function (this: Transport, options: Parameters<Transport["stream"]>[0]) {
    try {
      return await stream.call(this, options);
    } catch (err) {
      note(options, "WATCH", err);
      throw err;
    }
  };
  return {
    seen,
    restore: () => {
      proto.request = request;
      proto.stream = stream;
    },
  };
}

describe("the chart's RBAC runs the whole job lifecycle", () => {
  const stop = new AbortController();
  const forbidden = recordForbidden();
  const warnings: string[] = [];
  const admin = new Transport(kubeConfig());
  const jobs = new ResourceClient<Job>(admin, JOB_TYPE);
  let releaseNs: string;
  let tenantNs: string;
  let leaseName: string;
  let rbacManifest: string;
  let manager: Manager;
  let operator: Promise<void> | undefined;
  /** Set once started: a start that failed leaves `stopped` pending for ever. */
  let agent: HeliosAgent | undefined;
  let flagWatch: Promise<void> | undefined;
  let agentFlags: ControlFlags;

  /** Distinct refusals: the Transports' Forbidden answers, then warnings about one (client-node's, e.g. the leader Lease). */
  const refused = (): string[] => [...new Set(forbidden.seen), ...warnings.filter((l) => /forbidden|\b403\b/i.test(l)).map((l) => l.slice(0, 600))];
  /** Polls until `probe` returns a value; fails at once on the first 403 (naming it), or at the deadline. */
  async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, describe: () => string = () => ""): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (refused().length > 0) throw new Error(`the chart's RBAC refused a request while waiting for ${what}:\n${refused().slice(0, 3).join("\n")}`);
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${describe()}\nwarnings:\n${warnings.slice(-5).join("")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const spec = (type: string, payload: Record<string, unknown>): JobSpec => ({
    type,
    payload,
    priority: "normal",
    queue: "default",
    retry: { maxRetries: 3, backoffSeconds: 1, maxBackoffSeconds: 2 },
  });
  const submit = async (name: string, jobSpec: JobSpec): Promise<void> => {
    await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name, namespace: tenantNs }, spec: jobSpec });
  };
  const settled = (name: string, phase = "Succeeded"): Promise<Job> =>
    until(`job ${name} ${phase}`, async () => {
      const job = await jobs.get({ namespace: tenantNs, name });
      return job.status?.phase === phase ? job : undefined;
    });
  const setPaused = async (paused: boolean): Promise<void> => {
    const flag = { apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlag", metadata: { name: CONTROL_FLAG_KEYS.dispatchPaused, namespace: releaseNs }, spec: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: paused ? "on" : "off" } };
    const res = await kubectl(["apply", "-f", "-"], { input: JSON.stringify(flag) });
    expect(res.code, res.stderr).toBe(0);
  };

  beforeAll(async () => {
    [releaseNs, tenantNs] = await Promise.all([createNamespace("helios-rbac"), createNamespace("rbac-tenant")]);
    // A release name per run, should the chart render cluster-scoped objects.
    const release = `helios-${releaseNs.split("-").at(-1) ?? "x"}`;
    // The agents serve the tenant namespace (agents.namespace: the chart's way to put the agent's
    // ServiceAccount, Role and RoleBinding there). Watching only the tenant keeps this operator away
    // from other test files' objects on the shared cluster, and runs it under the chart's namespaced
    // RBAC: a Role in the tenant namespace and one in the release namespace, no ClusterRole.
    const rendered = await helm(["template", release, CHART, "--namespace", releaseNs, "--set", `agents.namespace=${tenantNs}`, "--set", `watchNamespaces={${tenantNs}}`]);
    expect(rendered.code, rendered.stderr).toBe(0);
    const objects = parseObjects(rendered.stdout);
    expect(objects.filter((o) => o.kind === "ClusterRole" && o.metadata.labels?.["app.kubernetes.io/component"] === "operator")).toEqual([]);
    const drop = process.env["HELIOS_RBAC_SMOKE_DROP"];
    const rbac = objects.filter((o) => RBAC_KINDS.has(o.kind));
    rbacManifest = JSON.stringify({ apiVersion: "v1", kind: "List", items: drop ? withoutPermission(rbac, drop) : rbac });
    const applied = await kubectl(["apply", "-f", "-"], { input: rbacManifest });
    expect(applied.code, applied.stderr).toBe(0);

    const deployment = find<OperatorDeployment>(objects, "Deployment", "operator");
    const operatorUser = `system:serviceaccount:${releaseNs}:${deployment.spec.template.spec.serviceAccountName}`;
    const agentAccount = find(objects, "ServiceAccount", "agent");
    expect(agentAccount.metadata.namespace).toBe(tenantNs);
    const agentUser = `system:serviceaccount:${tenantNs}:${agentAccount.metadata.name}`;

    // Ports off: this process may run other operators; the rest is the chart's Deployment verbatim.
    const config = resolveOperatorConfig({ ...deploymentFlags(deployment), metricsBindAddress: "0", healthProbeBindAddress: "0" }, {});
    expect(config).toMatchObject({ leaderElect: true, operatorNamespace: releaseNs, namespaces: [tenantNs] });
    leaseName = config.leaderElectionId;
    manager = buildOperator(config, impersonating(operatorUser), warningLogger(warnings));
    operator = manager.start(stop.signal);

    const agentKc = impersonating(agentUser);
    // As `helios agent --operator-namespace` does: control flags from the release namespace only.
    const watched = watchControlFlags(new Transport(agentKc), { operatorNamespace: releaseNs, log: warningLogger(warnings) });
    agentFlags = watched.flags;
    flagWatch = watched.informer.start(stop.signal);
    const created = createAgent({
      name: "rbac-agent",
      namespace: tenantNs,
      handlers: builtinHandlers(),
      kubeConfig: agentKc,
      flags: agentFlags,
      leaseDurationSeconds: 8,
      progressIntervalMs: 500,
      log: warningLogger(warnings),
    });
    await created.start(stop.signal);
    agent = created;
  });

  afterAll(async () => {
    stop.abort();
    await Promise.allSettled([operator, flagWatch, agent?.stopped]);
    forbidden.restore();
    // Anything cluster-scoped would outlive the namespaces.
    if (rbacManifest !== undefined) await kubectl(["delete", "--ignore-not-found", "-f", "-"], { input: rbacManifest });
    await kubectl(["delete", "namespace", releaseNs, tenantNs, "--wait=false", "--ignore-not-found"]);
  });

  it("the operator takes the leader Lease in the release namespace and sees the agent Ready", async () => {
    const leases = new ResourceClient<Lease>(admin, LEASES);
    const lease = await until("the leader Lease", async () => {
      const l = await leases.get({ namespace: releaseNs, name: leaseName }).catch(() => undefined);
      return manager.isLeader() && l?.spec?.holderIdentity ? l : undefined;
    });
    expect(lease.spec?.holderIdentity).not.toBe("");
    const agents = new ResourceClient<Agent>(admin, AGENT_TYPE);
    await until("agent rbac-agent Ready", async () => ((await agents.get({ namespace: tenantNs, name: "rbac-agent" })).status?.phase === "Ready" ? true : undefined));
  });

  it("an echo job succeeds", async () => {
    await submit("echo", spec("echo", { message: "hello" }));
    const job = await settled("echo");
    expect(job.status?.result).toEqual({ message: "hello" });
    expect(job.status?.conditions?.find((c) => c.type === "Complete")?.status).toBe("True");
  });

  it("a job that fails once is retried and succeeds", async () => {
    await submit("fail-once", spec("fail", { times: 1 }));
    const job = await settled("fail-once");
    expect(job.status?.retries).toBe(1);
    expect(job.status?.attempts?.map((a) => a.outcome)).toEqual(["Failed", "Succeeded"]);
  });

  it("helios-dispatch-paused holds new work and resuming releases it", async () => {
    await setPaused(true);
    // The featureflag controller wrote the flag's status (featureflags/status), and the agent sees it.
    const flags = new ResourceClient<FeatureFlag>(admin, FEATURE_FLAG_TYPE);
    await until("the pause flag Valid", async () => {
      const f = await flags.get({ namespace: releaseNs, name: CONTROL_FLAG_KEYS.dispatchPaused });
      return f.status?.conditions?.some((c) => c.type === "Valid" && c.status === "True") && f.status.observedGeneration === f.metadata.generation ? true : undefined;
    });
    await until("the agent to see the pause", () => (agentFlags.dispatchPaused() ? true : undefined));
    await submit("paused", spec("echo", { message: "later" }));
    const held = await until("job paused Blocked by DispatchPaused", async () => {
      const j = await jobs.get({ namespace: tenantNs, name: "paused" });
      return j.status?.conditions?.some((c) => c.type === "Blocked" && c.status === "True" && c.reason === "DispatchPaused") ? j : undefined;
    });
    expect(held.status?.assignedAgent).toBeUndefined();

    await setPaused(false);
    expect((await settled("paused")).status?.result).toEqual({ message: "later" });
  });

  it("writes audit chunks and Events in the tenant and release namespaces", async () => {
    const audit = new ResourceClient<AuditLog>(admin, AUDIT_LOG_TYPE);
    const actions = async (namespace: string): Promise<string[]> =>
      (await audit.list({ namespace })).items.flatMap((c) => c.spec.entries.map((e) => `${e.kind}/${e.name}:${e.action}`));
    // Chunks are sealed after at most 5 s.
    let seen: string[] = [];
    const wanted = [`${tenantNs}/Job/echo:assigned`, `${tenantNs}/Job/fail-once:retried`, `${releaseNs}/FeatureFlag/${CONTROL_FLAG_KEYS.dispatchPaused}:flag-changed`];
    await until(
      "audit entries",
      async () => {
        seen = [...(await actions(tenantNs)).map((a) => `${tenantNs}/${a}`), ...(await actions(releaseNs)).map((a) => `${releaseNs}/${a}`)];
        return wanted.every((w) => seen.includes(w)) ? true : undefined;
      },
      30_000,
      () => `audit entries seen: ${seen.join(", ")}`,
    );

    // The agent going Ready (agent-health, tenant) and the pause flag validated (featureflag, release).
    const events = new ResourceClient<KubeEvent>(admin, EVENTS);
    const about = async (namespace: string): Promise<string[]> =>
      (await events.list({ namespace })).items
        .filter((e) => e.reportingController === "helios.dev/operator")
        .map((e) => `${namespace}/${e.regarding.kind ?? ""}/${e.regarding.name ?? ""}`);
    const wantedEvents = [`${tenantNs}/Agent/rbac-agent`, `${releaseNs}/FeatureFlag/${CONTROL_FLAG_KEYS.dispatchPaused}`];
    await until(
      "Events",
      async () => {
        seen = [...(await about(tenantNs)), ...(await about(releaseNs))];
        return wantedEvents.every((w) => seen.includes(w)) ? true : undefined;
      },
      30_000,
      () => `Events seen: ${seen.join(", ")}`,
    );
  });

  it("got no Forbidden answer and logged no refusal", () => {
    expect(refused()).toEqual([]);
  });
});
