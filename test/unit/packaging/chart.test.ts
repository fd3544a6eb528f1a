// The chart renders what the issue asks: hardened operator Deployment, schema-checked values, alerts and dashboard.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseAllowedHosts, parseSessionLimits } from "../../../src/cli/commands/dashboard.js";
import { parseFlagsServeFlags } from "../../../src/cli/commands/flags.js";
import { flagAttribute } from "../../../src/runtime/config/index.js";
import { CHART, findObject, helm, render, type K8sObject } from "./chart.js";

interface Container {
  name: string;
  args: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  securityContext: Record<string, unknown>;
  resources?: Record<string, unknown>;
}
interface PodSpec {
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
  containers: Container[];
}

function podSpec(deployment: K8sObject): PodSpec {
  return (deployment["spec"] as { template: { spec: PodSpec } }).template.spec;
}
function container(deployment: K8sObject): Container {
  const c = podSpec(deployment).containers[0];
  if (c === undefined) throw new Error(`${deployment.metadata.name} has no container`);
  return c;
}

/** Runs `helm template` expecting a schema failure; returns helm's stderr. */
async function rejected(set: Record<string, string>, setString: Record<string, string> = {}): Promise<string> {
  const args = [
    ...Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
    ...Object.entries(setString).flatMap(([k, v]) => ["--set-string", `${k}=${v}`]),
  ];
  const res = await helm(["template", "helios", CHART, ...args]);
  expect(res.code, `helm accepted ${JSON.stringify({ ...set, ...setString })}`).not.toBe(0);
  expect(res.stderr).toContain("values don't meet the specifications of the schema");
  return res.stderr;
}

describe("Chart.yaml", () => {
  it("is apiVersion v2 and requires Kubernetes 1.34 or later", () => {
    const chart = parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")) as Record<string, unknown>;
    expect(chart).toMatchObject({ apiVersion: "v2", name: "helios", kubeVersion: ">=1.34.0-0" });
  });
});

describe("operator Deployment", () => {
  it("runs `helios operator` with leader election in the release namespace and the values' flags", async () => {
    const d = findObject(await render({ logLevel: "debug", "timing.jobAckTimeout": "5m" }), "Deployment", "helios-operator");
    expect((d["spec"] as { replicas: number }).replicas).toBe(2);
    const args = container(d).args;
    expect(args.slice(0, 4)).toEqual(["operator", "--leader-elect", "--leader-election-id=helios-operator-leader", "--operator-namespace=helios-system"]);
    expect(args).toContain("--log-level=debug");
    expect(args).toContain("--job-ack-timeout=5m");
    expect(args).toContain("--agent-stale-timeout=90s");
    expect(args).toEqual(expect.arrayContaining(["--agent-failure-threshold=5", "--agent-quarantine=1m", "--agent-max-quarantine=1h", "--agent-offence-window=1h"]));
    expect(args).toContain("--agent-gc-after=24h");
    expect(args).not.toContain("--audit-dry-run");
    expect(podSpec(d).serviceAccountName).toBe("helios-operator");
  });

  it("caps V8's heap at heapPercentOfMemoryLimit of the memory limit, as the bench runs the operator", async () => {
    const nodeOptions = async (set: Record<string, string> = {}) =>
      container(findObject(await render(set), "Deployment", "helios-operator")).env?.find((e) => e.name === "NODE_OPTIONS")?.value;
    const byDefault = await nodeOptions();
    expect(byDefault).toBe("--max-semi-space-size=8 --max-old-space-size=384");
    expect(await nodeOptions({ "resources.limits.memory": "1Gi" })).toBe("--max-semi-space-size=8 --max-old-space-size=768");
    expect(await nodeOptions({ "resources.limits.memory": "1G", heapPercentOfMemoryLimit: "50" })).toBe("--max-semi-space-size=8 --max-old-space-size=476");
    expect(await nodeOptions({ heapPercentOfMemoryLimit: "0" })).toBe("--max-semi-space-size=8");
    // Decimal quantities are Kubernetes quantities too: never a silently dropped cap.
    expect(await nodeOptions({ "resources.limits.memory": "1.5Gi" })).toBe("--max-semi-space-size=8 --max-old-space-size=1152");
    expect(await nodeOptions({ "resources.limits.memory": "0.5Gi" })).toBe("--max-semi-space-size=8 --max-old-space-size=384");
    expect(await nodeOptions({ "resources.limits.memory": "1536Mi" })).toBe("--max-semi-space-size=8 --max-old-space-size=1152");
    expect(await nodeOptions({ "resources.limits.memory": "2.5G" })).toBe("--max-semi-space-size=8 --max-old-space-size=1788");
    expect(await nodeOptions({ "resources.limits.memory": "1073741824" })).toBe("--max-semi-space-size=8 --max-old-space-size=768");
    // bench/main.ts measures the operator with the chart's default options.
    const bench = /const IMAGE_NODE_OPTIONS = (\[[^\]]*\]);/.exec(readFileSync(join(import.meta.dirname, "../../../bench/main.ts"), "utf8"))?.[1];
    expect((JSON.parse(bench ?? "[]") as string[]).join(" ")).toBe(byDefault);
  });

  it("drops --leader-elect when leader election is off", async () => {
    const d = findObject(await render({ "leaderElection.enabled": "false", replicaCount: "1" }), "Deployment", "helios-operator");
    expect(container(d).args.filter((a) => a.startsWith("--leader-elect"))).toEqual([]);
  });

  it("probes /healthz and /readyz on the health port and exposes metrics", async () => {
    const c = container(findObject(await render(), "Deployment", "helios-operator"));
    expect(c.ports).toEqual([
      { name: "metrics", containerPort: 8080, protocol: "TCP" },
      { name: "health", containerPort: 8081, protocol: "TCP" },
    ]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "health" });
    expect(c.resources).toHaveProperty("requests");
  });

  it.each([
    ["operator", "Deployment", "helios-operator"],
    ["agent", "Deployment", "helios-agent"],
  ])("hardens the %s container (restricted Pod Security Standard)", async (_who, kind, name) => {
    const d = findObject(await render({ "agents.enabled": "true", "agents.namespace": "tenant-a" }), kind, name);
    expect(container(d).securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(podSpec(d).securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  });

  it("has a PodDisruptionBudget only when there is a standby to keep", async () => {
    const pdb = findObject(await render(), "PodDisruptionBudget", "helios-operator");
    // An operator unready on purpose (CRDs or RBAC missing) must not block node drains.
    expect(pdb["spec"]).toMatchObject({ unhealthyPodEvictionPolicy: "AlwaysAllow" });
    expect((await render({ replicaCount: "1" })).some((o) => o.kind === "PodDisruptionBudget")).toBe(false);
  });
});

describe("agent pool", () => {
  it("is off by default", async () => {
    expect((await render()).filter((o) => o.kind === "Deployment").map((o) => o.metadata.name)).toEqual(["helios-operator"]);
  });

  it("runs `helios agent` named after its pod with the values' capabilities and queues", async () => {
    const objects = await render({
      "agents.enabled": "true",
      "agents.namespace": "tenant-a",
      "agents.replicas": "3",
      "agents.capabilities": "{echo,sleep}",
      "agents.queues": "{default,batch}",
      "agents.maxConcurrency": "4",
    });
    const d = findObject(objects, "Deployment", "helios-agent");
    expect(d.metadata.namespace).toBe("tenant-a");
    expect((d["spec"] as { replicas: number }).replicas).toBe(3);
    expect(container(d).args).toEqual([
      "agent",
      "--name=$(POD_NAME)",
      "--namespace=tenant-a",
      "--capabilities=echo,sleep",
      "--queues=default,batch",
      "--max-concurrency=4",
      "--metrics-bind-address=:8080",
      "--health-probe-bind-address=:8081",
    ]);
    expect(container(d)["ports"]).toEqual([
      { name: "metrics", containerPort: 8080, protocol: "TCP" },
      { name: "health", containerPort: 8081, protocol: "TCP" },
    ]);
    expect(podSpec(d).serviceAccountName).toBe("helios-agent");
    // The pod owns the Agent (garbage-collected with it): name, uid and namespace from the downward API.
    const fromPod = Object.fromEntries((container(d).env ?? []).flatMap((e) => (e.valueFrom?.fieldRef === undefined ? [] : [[e.name, e.valueFrom.fieldRef.fieldPath]])));
    expect(fromPod).toEqual({ POD_NAME: "metadata.name", POD_UID: "metadata.uid", POD_NAMESPACE: "metadata.namespace" });
  });
});

describe("agent pool: a first-class workload", () => {
  const pool = { "agents.enabled": "true", "agents.namespace": "tenant-a" };
  const agentPod = async (set: Record<string, string> = {}, extra: readonly string[] = []) => podSpec(findObject(await render({ ...pool, ...set }, extra), "Deployment", "helios-agent"));
  const agentEnv = (spec: PodSpec, name: string) => spec.containers[0]?.env?.find((e) => e.name === name)?.value;

  it("probes /healthz and /readyz on the agent's health port", async () => {
    const c = container(findObject(await render({ ...pool, "agents.healthPort": "9101" }), "Deployment", "helios-agent"));
    expect(c.args).toContain("--health-probe-bind-address=:9101");
    expect(c.ports).toContainEqual({ name: "health", containerPort: 9101, protocol: "TCP" });
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "health" });
  });

  it("sets HELIOS_LOG_LEVEL from agents.logLevel, else logLevel", async () => {
    expect(agentEnv(await agentPod(), "HELIOS_LOG_LEVEL")).toBe("info");
    expect(agentEnv(await agentPod({ logLevel: "warn" }), "HELIOS_LOG_LEVEL")).toBe("warn");
    expect(agentEnv(await agentPod({ logLevel: "warn", "agents.logLevel": "debug" }), "HELIOS_LOG_LEVEL")).toBe("debug");
    await rejected({ ...pool, "agents.logLevel": "loud" });
  });

  it("caps the agents' heap from agents.resources like the operator's, decimal quantities included", async () => {
    expect(agentEnv(await agentPod(), "NODE_OPTIONS")).toBe("--max-semi-space-size=8 --max-old-space-size=384");
    expect(agentEnv(await agentPod({ "agents.resources.limits.memory": "1.5Gi" }), "NODE_OPTIONS")).toBe("--max-semi-space-size=8 --max-old-space-size=1152");
    expect(agentEnv(await agentPod({ "agents.heapPercentOfMemoryLimit": "0" }), "NODE_OPTIONS")).toBe("--max-semi-space-size=8");
    // The operator's limit does not size the agents.
    expect(agentEnv(await agentPod({ "resources.limits.memory": "4Gi" }), "NODE_OPTIONS")).toBe("--max-semi-space-size=8 --max-old-space-size=384");
  });

  it("ships a PDB for the pool that never blocks drains on unready agents", async () => {
    const pdb = findObject(await render(pool), "PodDisruptionBudget", "helios-agent");
    expect(pdb.metadata.namespace).toBe("tenant-a");
    expect(pdb["spec"]).toEqual({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: "AlwaysAllow",
      selector: { matchLabels: { "app.kubernetes.io/name": "helios", "app.kubernetes.io/instance": "helios", "app.kubernetes.io/component": "agent" } },
    });
    const min = findObject(await render({ ...pool, "agents.podDisruptionBudget.minAvailable": "50%" }), "PodDisruptionBudget", "helios-agent");
    expect(min["spec"]).toMatchObject({ minAvailable: "50%" });
    expect(min["spec"]).not.toHaveProperty("maxUnavailable");
    expect((await render({ ...pool, "agents.podDisruptionBudget.enabled": "false" })).filter((o) => o.kind === "PodDisruptionBudget").map((o) => o.metadata.name)).toEqual(["helios-operator"]);
    expect((await render()).filter((o) => o.kind === "PodDisruptionBudget").map((o) => o.metadata.name)).toEqual(["helios-operator"]);
  });

  it("spreads the pool over nodes by default; affinity and topologySpreadConstraints override and add", async () => {
    const selector = { "app.kubernetes.io/name": "helios", "app.kubernetes.io/instance": "helios", "app.kubernetes.io/component": "agent" };
    const byDefault = (await agentPod()) as PodSpec & { affinity?: unknown; topologySpreadConstraints?: unknown };
    expect(byDefault.affinity).toEqual({
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } } }] },
    });
    expect(byDefault.topologySpreadConstraints).toBeUndefined();
    const custom = (await agentPod({
      "agents.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key": "pool",
      "agents.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator": "Exists",
      "agents.topologySpreadConstraints[0].maxSkew": "1",
      "agents.topologySpreadConstraints[0].topologyKey": "topology.kubernetes.io/zone",
      "agents.topologySpreadConstraints[0].whenUnsatisfiable": "ScheduleAnyway",
    })) as PodSpec & { affinity?: Record<string, unknown>; topologySpreadConstraints?: unknown };
    expect(Object.keys(custom.affinity ?? {})).toEqual(["nodeAffinity"]);
    expect(custom.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
    ]);
    await rejected({ ...pool, "agents.topologySpreadConstraints[0].maxSkew": "1" });
  });

  it("pulls with agents.imagePullSecrets (secrets of the agents' namespace), else imagePullSecrets", async () => {
    const secrets = async (set: Record<string, string>) => ((await agentPod(set)) as PodSpec & { imagePullSecrets?: unknown }).imagePullSecrets;
    expect(await secrets({})).toBeUndefined();
    expect(await secrets({ imagePullSecrets: "{regcred}" })).toEqual([{ name: "regcred" }]);
    expect(await secrets({ imagePullSecrets: "{regcred}", "agents.imagePullSecrets": "{tenant-regcred}" })).toEqual([{ name: "tenant-regcred" }]);
  });
});

describe("values.schema.json", () => {
  it("is draft-07 and closed at the top level", () => {
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as Record<string, unknown>;
    expect(schema["$schema"]).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema["additionalProperties"]).toBe(false);
  });

  it.each<[string, Record<string, string>, Record<string, string>, string]>([
    ["a negative replicaCount", { replicaCount: "-1" }, {}, "at '/replicaCount': minimum: got -1, want 0"],
    ["a fractional replicaCount", { replicaCount: "1.5" }, {}, "at '/replicaCount'"],
    ["an unknown log level", { logLevel: "loud" }, {}, "at '/logLevel': value must be one of 'trace', 'debug', 'info', 'warn', 'error', 'fatal'"],
    ["2 replicas without leader election", { "leaderElection.enabled": "false" }, {}, "at '/replicaCount': maximum: got 2, want 1"],
    ["a duration without a unit", {}, { "timing.jobAckTimeout": "30" }, "at '/timing/jobAckTimeout': '30' does not match pattern"],
    ["a negative duration", {}, { "audit.retention": "-1h" }, "at '/audit/retention'"],
    ["an unknown top-level key", { replicas: "2" }, {}, "additional properties 'replicas' not allowed"],
    ["an unknown nested key", { "agents.replica": "2" }, {}, "at '/agents': additional properties 'replica' not allowed"],
    ["a bad pull policy", { "image.pullPolicy": "Sometimes" }, {}, "at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'"],
    ["an empty image repository", {}, { "image.repository": "" }, "at '/image/repository'"],
    ["zero agent concurrency", { "agents.maxConcurrency": "0" }, {}, "at '/agents/maxConcurrency': minimum: got 0, want 1"],
    ["a breaker that trips on zero failures", { "breaker.failureThreshold": "0" }, {}, "at '/breaker/failureThreshold': minimum: got 0, want 1"],
    ["a quarantine without a unit", {}, { "breaker.quarantine": "60" }, "at '/breaker/quarantine': '60' does not match pattern"],
    ["a finished-job TTL in days", {}, { "jobs.finishedTtl": "7d" }, "at '/jobs/finishedTtl': '7d' does not match pattern"],
    ["a finished-job TTL without a unit", { "jobs.finishedTtl": "30" }, {}, "at '/jobs/finishedTtl'"],
    ["an agent collection bound without a unit", {}, { "timing.agentGcAfter": "24" }, "at '/timing/agentGcAfter': '24' does not match pattern"],
    ["a negative agent collection bound", {}, { "timing.agentGcAfter": "-1h" }, "at '/timing/agentGcAfter'"],
    ["an Offline alert window of zero", { "metrics.prometheusRule.agentOfflineWindowSeconds": "0" }, {}, "at '/metrics/prometheusRule/agentOfflineWindowSeconds': minimum: got 0, want 1"],
  ])("rejects %s with the schema's message", async (_what, set, setString, message) => {
    expect(await rejected(set, setString)).toContain(message);
  });

  it("passes the finished-job TTL through, 0 (a number or a string) keeping finished jobs forever", async () => {
    const ttlArgs = async (set: Record<string, string>, extra: string[] = []) =>
      container(findObject(await render(set, extra), "Deployment", "helios-operator")).args.filter((a) => a.startsWith("--finished-job-ttl"));
    expect(await ttlArgs({})).toEqual(["--finished-job-ttl=168h"]);
    expect(await ttlArgs({ "jobs.finishedTtl": "0" })).toEqual(["--finished-job-ttl=0"]);
    expect(await ttlArgs({}, ["--set-string", "jobs.finishedTtl=0"])).toEqual(["--finished-job-ttl=0"]);
    expect(await ttlArgs({ "jobs.finishedTtl": "720h" })).toEqual(["--finished-job-ttl=720h"]);
  });

  it("accepts Go durations with several units and fractions", async () => {
    const d = findObject(
      await render({ "timing.jobStuckThreshold": "1h30m", "timing.agentStaleTimeout": "1.5m", "audit.retention": "720h" }),
      "Deployment",
      "helios-operator",
    );
    expect(container(d).args).toEqual(expect.arrayContaining(["--job-stuck-threshold=1h30m", "--agent-stale-timeout=1.5m", "--audit-retention=720h"]));
    // 0 (never), as a number or a string.
    for (const never of [await render({ "timing.agentGcAfter": "0" }), await render({}, ["--set-string", "timing.agentGcAfter=0"])]) {
      expect(container(findObject(never, "Deployment", "helios-operator")).args).toContain("--agent-gc-after=0");
    }
  });
});

describe("monitoring", () => {
  const all = { "metrics.serviceMonitor.enabled": "true", "metrics.prometheusRule.enabled": "true", "grafana.dashboard.enabled": "true" };

  it("renders the ServiceMonitor, PrometheusRule and dashboard only when asked", async () => {
    const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind);
    expect(kinds(await render())).not.toEqual(expect.arrayContaining(["ServiceMonitor"]));
    expect(kinds(await render())).not.toContain("PrometheusRule");
    expect(kinds(await render())).not.toContain("ConfigMap");
    expect(kinds(await render(all))).toEqual(expect.arrayContaining(["ServiceMonitor", "PrometheusRule", "ConfigMap", "Service"]));
  });

  it("protects /metrics with metrics.secure: the flag, review rights, a reader role and an HTTPS bearer-token scrape", async () => {
    const plain = await render({ "metrics.serviceMonitor.enabled": "true" });
    expect(container(findObject(plain, "Deployment", "helios-operator")).args).not.toContain("--metrics-secure");
    expect(plain.filter((o) => /-metrics-(auth|reader)$/.test(o.metadata.name))).toEqual([]);
    expect(JSON.stringify(findObject(plain, "ServiceMonitor", "helios-operator")["spec"])).not.toContain("bearerTokenFile");

    const objects = await render({
      "metrics.secure": "true",
      "metrics.serviceMonitor.enabled": "true",
      "metrics.readers[0].name": "prometheus-k8s",
      "metrics.readers[0].namespace": "monitoring",
      watchNamespaces: "{team-a}",
    });
    expect(container(findObject(objects, "Deployment", "helios-operator")).args).toContain("--metrics-secure");
    // Reviews are cluster-scoped: granted even when the operator watches listed namespaces only.
    expect(findObject(objects, "ClusterRole", "helios-metrics-auth")["rules"]).toEqual([
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ]);
    expect(findObject(objects, "ClusterRoleBinding", "helios-metrics-auth")["subjects"]).toEqual([{ kind: "ServiceAccount", name: "helios-operator", namespace: "helios-system" }]);
    expect(findObject(objects, "ClusterRole", "helios-metrics-reader")["rules"]).toEqual([{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
    expect(findObject(objects, "ClusterRoleBinding", "helios-metrics-reader")["subjects"]).toEqual([{ kind: "ServiceAccount", name: "prometheus-k8s", namespace: "monitoring" }]);
    const endpoint = (findObject(objects, "ServiceMonitor", "helios-operator")["spec"] as { endpoints: Record<string, unknown>[] }).endpoints[0];
    expect(endpoint).toMatchObject({ scheme: "https", bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token", tlsConfig: { insecureSkipVerify: true } });
    await rejected({ "metrics.readers[0].name": "prometheus" });
  });

  it("scrapes the agent pods with a PodMonitor when agents run and monitoring is on", async () => {
    const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind);
    expect(kinds(await render({ "agents.enabled": "true", "agents.namespace": "tenant-a" }))).not.toContain("PodMonitor");
    expect(kinds(await render(all))).not.toContain("PodMonitor");
    const objects = await render({ ...all, "agents.enabled": "true", "agents.namespace": "tenant-a", "agents.metricsPort": "9100" });
    const monitor = findObject(objects, "PodMonitor", "helios-agent");
    expect(monitor.metadata.namespace).toBe("tenant-a");
    const spec = monitor["spec"] as { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string; path: string }[] };
    const agentPods = (findObject(objects, "Deployment", "helios-agent")["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(agentPods).toMatchObject(spec.selector.matchLabels);
    expect(spec.podMetricsEndpoints).toMatchObject([{ port: "metrics", path: "/metrics" }]);
    const agent = container(findObject(objects, "Deployment", "helios-agent"));
    expect(agent.args).toContain("--metrics-bind-address=:9100");
    expect(agent.ports).toContainEqual({ name: "metrics", containerPort: 9100, protocol: "TCP" });
  });

  it("alerts on offline agents, queue age and reconcile errors with the metrics' real names", async () => {
    const rule = findObject(await render(all), "PrometheusRule", "helios-operator");
    const rules = (rule["spec"] as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const expr = (alert: string) => rules.find((r) => r.alert === alert)?.expr ?? "";
    expect(expr("HeliosAgentsOffline")).toContain('helios_agents{phase="Offline"}');
    // Only agents that went Offline recently, not those waiting to be collected.
    expect(expr("HeliosAgentsOffline")).toContain("time() - max by (namespace) (helios_agent_last_offline_timestamp_seconds) < 3600");
    const narrow = findObject(await render({ ...all, "metrics.prometheusRule.agentOfflineWindowSeconds": "900" }), "PrometheusRule", "helios-operator");
    expect(JSON.stringify(narrow["spec"])).toContain("helios_agent_last_offline_timestamp_seconds) < 900");
    expect(expr("HeliosQueueOldestJobTooOld")).toContain("helios_queue_oldest_seconds");
    expect(expr("HeliosQueueOldestJobTooOld")).toContain("> 600");
    expect(expr("HeliosReconcileErrors")).toContain("controller_runtime_reconcile_errors_total");
  });

  it("ships a dashboard with queue depth, schedule latency, agents by phase and reconcile rate/errors", async () => {
    const cm = findObject(await render(all), "ConfigMap", "helios-dashboard");
    expect(cm.metadata.labels?.["grafana_dashboard"]).toBe("1");
    const json = (cm["data"] as Record<string, string>)["helios.json"] ?? "";
    expect(json).toBe(readFileSync(join(CHART, "dashboards/helios.json"), "utf8").trimEnd());
    const dashboard = JSON.parse(json) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).join("\n");
    for (const metric of [
      "helios_queue_depth",
      "helios_queue_oldest_seconds",
      "helios_job_queue_wait_seconds_bucket",
      "helios_agents",
      "controller_runtime_reconcile_total",
      "controller_runtime_reconcile_errors_total",
    ]) {
      expect(exprs).toContain(metric);
    }
  });
});

describe("OFREP server (flags.ofrep)", () => {
  it("is off by default", async () => {
    expect((await render()).filter((o) => o.metadata.name.startsWith("helios-flags"))).toEqual([]);
  });

  it("runs `helios flags serve` over watchNamespaces with a Service and only the RBAC it needs", async () => {
    const objects = await render({ "flags.ofrep.enabled": "true", watchNamespaces: "{team-a,team-b}", "flags.ofrep.tls.mode": "secret", "flags.ofrep.tls.secretName": "flags-tls" });
    const d = findObject(objects, "Deployment", "helios-flags");
    expect(podSpec(d).serviceAccountName).toBe("helios-flags");
    expect(container(d).args).toEqual([
      "flags",
      "serve",
      "--bind-address=:8016",
      "--namespaces=team-a,team-b",
      "--log-level=info",
      "--tls-cert=/etc/helios/tls/tls.crt",
      "--tls-key=/etc/helios/tls/tls.key",
    ]);
    expect(container(d).readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port: "ofrep", scheme: "HTTPS" });
    expect((findObject(objects, "Service", "helios-flags")["spec"] as { ports: unknown[] }).ports).toEqual([{ name: "ofrep", port: 8016, targetPort: "ofrep", protocol: "TCP" }]);
    expect(findObject(objects, "ClusterRole", "helios-flags-review")["rules"]).toEqual([
      { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
      { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
    ]);
    expect(findObject(objects, "ClusterRole", "helios-flags-read")["rules"]).toEqual([{ apiGroups: ["helios.dev"], resources: ["featureflags"], verbs: ["get", "list", "watch"] }]);
    const reads = objects.filter((o) => o.kind === "RoleBinding" && o.metadata.name === "helios-flags-read").map((o) => o.metadata.namespace);
    expect(reads).toEqual(["team-a", "team-b"]);
    expect(objects.filter((o) => o.kind === "ClusterRoleBinding" && o.metadata.name === "helios-flags-read")).toEqual([]);

    // What the chart passes is what the binary accepts.
    const raw = (args: readonly string[]) =>
      Object.fromEntries(args.slice(2).map((a) => /^--([a-z-]+)(?:=(.*))?$/.exec(a) ?? []).map(([, name = "", value]) => [flagAttribute(name), value ?? true]));
    expect(parseFlagsServeFlags(raw(container(d).args), {})).toMatchObject({
      bindAddress: { port: 8016 },
      namespaces: ["team-a", "team-b"],
      tls: { kind: "files", cert: "/etc/helios/tls/tls.crt", key: "/etc/helios/tls/tls.key" },
    });
    const selfSigned = await render({ "flags.ofrep.enabled": "true", "flags.ofrep.tls.mode": "self-signed" });
    expect(parseFlagsServeFlags(raw(container(findObject(selfSigned, "Deployment", "helios-flags")).args), {})).toMatchObject({ namespaces: "all", tls: { kind: "self-signed" } });

    const everywhere = await render({ "flags.ofrep.enabled": "true" });
    expect(container(findObject(everywhere, "Deployment", "helios-flags")).args).toContain("--namespaces=all");
    expect(findObject(everywhere, "ClusterRoleBinding", "helios-flags-read")["subjects"]).toEqual([{ kind: "ServiceAccount", name: "helios-flags", namespace: "helios-system" }]);
    await rejected({ "flags.ofrep.tls.mode": "mutual" });
  });
});

describe("web dashboard (dashboard.enabled)", () => {
  it("is off by default", async () => {
    expect((await render()).filter((o) => o.metadata.name.startsWith("helios-dashboard"))).toEqual([]);
  });

  it("runs `helios dashboard --auth token` with a ClusterIP Service and a ServiceAccount that may only create TokenReviews", async () => {
    const objects = await render({ "dashboard.enabled": "true", "dashboard.allowedHosts": "{dash.example.com}", "dashboard.namespace": "team-a" });
    const d = findObject(objects, "Deployment", "helios-dashboard");
    expect(podSpec(d).serviceAccountName).toBe("helios-dashboard");
    const args = container(d).args;
    expect(args).toEqual([
      "dashboard",
      "--auth=token",
      "--address=0.0.0.0",
      "--port=8080",
      "--operator-namespace=helios-system",
      "--namespace=team-a",
      "--allowed-host=dash.example.com",
      "--session-idle=30m",
      "--session-max=8h",
      "--log-level=info",
    ]);
    // What the chart passes is what the binary accepts.
    const value = (flag: string): string => args.find((a) => a.startsWith(`--${flag}=`))?.split("=")[1] ?? "";
    expect(parseSessionLimits(value("session-idle"), value("session-max"))).toEqual({ idleMs: 1_800_000, maxMs: 28_800_000 });
    expect(parseAllowedHosts([value("allowed-host")])).toEqual(["dash.example.com"]);
    expect(container(d).readinessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "http" });
    expect(container(d).securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    const service = findObject(objects, "Service", "helios-dashboard")["spec"] as { type: string; ports: unknown[] };
    expect(service.type).toBe("ClusterIP");
    expect(service.ports).toEqual([{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }]);

    expect(findObject(objects, "ClusterRole", "helios-dashboard-tokenreview")["rules"]).toEqual([{ apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] }]);
    const bindings = objects.filter((o) => (o.kind === "ClusterRoleBinding" || o.kind === "RoleBinding") && JSON.stringify(o["subjects"]).includes('"helios-dashboard"'));
    expect(bindings.map((b) => `${b.kind}/${b.metadata.name}`)).toEqual(["ClusterRoleBinding/helios-dashboard-tokenreview"]);
    expect(bindings[0]?.["roleRef"]).toMatchObject({ kind: "ClusterRole", name: "helios-dashboard-tokenreview" });

    const proxy = await render({ "dashboard.enabled": "true", "dashboard.auth": "proxy" });
    expect(container(findObject(proxy, "Deployment", "helios-dashboard")).args).toContain("--auth=proxy");
    await rejected({ "dashboard.auth": "impersonate" });
    await rejected({ "dashboard.sessionIdle": "soon" });
  });
});
