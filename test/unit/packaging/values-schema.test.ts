// One source of truth for settings: every bad value below is refused by `helm template` (values.schema.json,
// or the chart's template check for cross-field rules) with a message naming the value, by the zod schema
// the JSON Schema is generated from, and by the binary that would read it; good values pass all three.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { chartValuesSchema } from "../../../src/chart/index.js";
import { parseAgentFlags } from "../../../src/cli/commands/agent.js";
import { runCli } from "../../../src/cli/program.js";
import { flagAttribute, OPERATOR_FLAGS, resolveOperatorConfig, type RawFlags } from "../../../src/runtime/config/index.js";
import { CHART, findObject, helm, parseObjects, type K8sObject } from "./chart.js";

const DIGEST = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/** The binary that reads a value: its command line, and the flag its refusal names. */
interface Binary {
  readonly argv: readonly string[];
  readonly names: string;
}

interface BadValue {
  /** Values as JSON (helm --set-json), dotted paths. */
  readonly set: Readonly<Record<string, unknown>>;
  /** The value helm's message names (a schema error names it as a JSON pointer, a template check dotted). */
  readonly names: string;
  /** Who refuses it at run time: a Helios binary, or Kubernetes for values only it reads. */
  readonly binary: Binary | { readonly kubernetes: string };
}

const operator = (names: string, ...flags: string[]): Binary => ({ argv: ["operator", ...flags], names });
const agent = (names: string, ...flags: string[]): Binary => ({ argv: ["agent", "--name=helios-agent-0", ...flags], names });

const BAD_VALUES: readonly BadValue[] = [
  { set: { "timing.jobAckTimeout": "0s" }, names: "timing.jobAckTimeout", binary: operator("--job-ack-timeout", "--job-ack-timeout=0s") },
  { set: { "timing.agentStaleTimeout": "0" }, names: "timing.agentStaleTimeout", binary: operator("--agent-stale-timeout", "--agent-stale-timeout=0") },
  { set: { "timing.maxQueueTime": "1d" }, names: "timing.maxQueueTime", binary: operator("--max-queue-time", "--max-queue-time=1d") },
  { set: { "timing.agentGcAfter": "-1h" }, names: "timing.agentGcAfter", binary: operator("--agent-gc-after", "--agent-gc-after=-1h") },
  { set: { "jobs.finishedTtl": "7d" }, names: "jobs.finishedTtl", binary: operator("--finished-job-ttl", "--finished-job-ttl=7d") },
  { set: { "breaker.quarantine": "0s" }, names: "breaker.quarantine", binary: operator("--agent-quarantine", "--agent-quarantine=0s") },
  { set: { "breaker.quarantine": "2h" }, names: "breaker.maxQuarantine", binary: operator("--agent-max-quarantine", "--agent-quarantine=2h", "--agent-max-quarantine=1h") },
  { set: { "breaker.maxQuarantine": "30s" }, names: "breaker.maxQuarantine", binary: operator("--agent-max-quarantine", "--agent-quarantine=1m", "--agent-max-quarantine=30s") },
  { set: { "breaker.failureThreshold": 0 }, names: "breaker.failureThreshold", binary: operator("--agent-failure-threshold", "--agent-failure-threshold=0") },
  { set: { "breaker.offenceWindow": "1 hour" }, names: "breaker.offenceWindow", binary: operator("--agent-offence-window", "--agent-offence-window=1 hour") },
  { set: { "audit.retention": "365d" }, names: "audit.retention", binary: operator("--audit-retention", "--audit-retention=365d") },
  { set: { "audit.retentionBatch": 0 }, names: "audit.retentionBatch", binary: operator("--audit-retention-batch", "--audit-retention-batch=0") },
  { set: { "ports.health": 8080 }, names: "ports.health", binary: operator("--health-probe-bind-address", "--metrics-bind-address=:8080", "--health-probe-bind-address=:8080") },
  { set: { "ports.metrics": 70000 }, names: "ports.metrics", binary: operator("--metrics-bind-address", "--metrics-bind-address=:70000") },
  { set: { extraArgs: ["--graceful-shutdown-timout=60s"] }, names: "extraArgs", binary: operator("--graceful-shutdown-timout", "--graceful-shutdown-timout=60s") },
  { set: { extraArgs: ["--log-level"] }, names: "extraArgs", binary: operator("--log-level", "--log-level") },
  { set: { logLevel: "verbose" }, names: "logLevel", binary: operator("--log-level", "--log-level=verbose") },
  { set: { "leaderElection.id": "Helios_Leader" }, names: "leaderElection.id", binary: operator("--leader-election-id", "--leader-election-id=Helios_Leader") },
  { set: { watchNamespaces: ["Team-A"] }, names: "watchNamespaces", binary: operator("--namespace", "--namespace=Team-A") },
  { set: { "agents.maxConcurrency": 5000 }, names: "agents.maxConcurrency", binary: agent("--max-concurrency", "--max-concurrency=5000") },
  { set: { "agents.maxConcurrency": 0 }, names: "agents.maxConcurrency", binary: agent("--max-concurrency", "--max-concurrency=0") },
  { set: { "agents.namespace": "team-a/evil" }, names: "agents.namespace", binary: agent("--namespace", "--namespace=team-a/evil") },
  { set: { "agents.namespace": "Team-A" }, names: "agents.namespace", binary: agent("--namespace", "--namespace=Team-A") },
  { set: { "agents.namespace": "-team" }, names: "agents.namespace", binary: agent("--namespace", "--namespace=-team") },
  { set: { "agents.queues": ["Batch_Jobs"] }, names: "agents.queues", binary: agent("--queues", "--queues=Batch_Jobs") },
  { set: { "agents.queues": [] }, names: "agents.queues", binary: agent("--queues", "--queues=") },
  { set: { "agents.capabilities": ["gpu fast"] }, names: "agents.capabilities", binary: agent("--capabilities", "--capabilities=gpu fast") },
  { set: { "agents.metricsPort": 70000 }, names: "agents.metricsPort", binary: agent("--metrics-bind-address", "--metrics-bind-address=:70000") },
  { set: { "image.tag": DIGEST }, names: "image.tag", binary: { kubernetes: "the kubelet cannot pull repository:sha256:… (use image.digest)" } },
  { set: { "image.digest": "sha256:abc" }, names: "image.digest", binary: { kubernetes: "the kubelet refuses a malformed digest" } },
  { set: { "image.repository": "helios:1.0" }, names: "image.repository", binary: { kubernetes: "a tag in the repository renders helios:1.0:0.1.0, an invalid reference" } },
  { set: { "resources.limits.memory": "1.5Gb" }, names: "resources.limits.memory", binary: { kubernetes: "the apiserver refuses the quantity" } },
  { set: { "agents.resources.requests.cpu": "half" }, names: "agents.resources.requests.cpu", binary: { kubernetes: "the apiserver refuses the quantity" } },
  { set: { priorityClassName: "Critical_Jobs" }, names: "priorityClassName", binary: { kubernetes: "the apiserver refuses the name" } },
  { set: { imagePullSecrets: ["Registry Creds"] }, names: "imagePullSecrets", binary: { kubernetes: "the apiserver refuses the name" } },
  { set: { "serviceAccount.name": "Helios_SA" }, names: "serviceAccount.name", binary: { kubernetes: "the apiserver refuses the name" } },
  { set: { nameOverride: "Helios" }, names: "nameOverride", binary: { kubernetes: "the apiserver refuses the object names" } },
  { set: { "podLabels.team": "a b" }, names: "podLabels", binary: { kubernetes: "the apiserver refuses the label" } },
  { set: { "leaderElection.enabled": false, replicaCount: 2 }, names: "replicaCount", binary: { kubernetes: "two operators without leader election would both run the controllers" } },
];

const valuesYaml = (): Record<string, unknown> => parse(readFileSync(join(CHART, "values.yaml"), "utf8")) as Record<string, unknown>;

/** values.yaml with the dotted paths set, as helm merges --set-json. */
function withValues(set: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values = valuesYaml();
  for (const [path, value] of Object.entries(set)) {
    const keys = path.split(".");
    let node = values;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      node = (typeof next === "object" && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
    }
    node[keys.at(-1) ?? ""] = value;
  }
  return values;
}

const helmTemplate = (set: Readonly<Record<string, unknown>>) =>
  helm(["template", "helios", CHART, "--namespace", "helios-system", ...Object.entries(set).flatMap(([k, v]) => ["--set-json", `${k}=${JSON.stringify(v)}`])]);

/** `--name=value` arguments as commander hands them to the operator's config. */
function operatorFlags(args: readonly string[]): RawFlags {
  const flags: Record<string, string | boolean | string[]> = {};
  for (const arg of args) {
    const [, name = "", value] = /^--([a-z-]+)(?:=(.*))?$/.exec(arg) ?? [];
    const spec = OPERATOR_FLAGS.find((f) => f.flag === name);
    if (spec === undefined) throw new Error(`the operator has no flag ${arg}`);
    const attr = flagAttribute(name);
    const previous = flags[attr];
    flags[attr] = spec.kind === "strings" ? [...(Array.isArray(previous) ? previous : []), value ?? ""] : (value ?? true);
  }
  return flags;
}

/** `--name=value` arguments as commander hands them to `helios agent`; the pod name stands in for $(POD_NAME). */
function agentFlags(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = { name: "helios-agent-0" };
  for (const arg of args) {
    const [, name = "", value = ""] = /^--([a-z-]+)=(.*)$/.exec(arg) ?? [];
    if (name !== "name") flags[flagAttribute(name)] = value;
  }
  return flags;
}

/** What `helios` prints when it refuses the command line (exit 2, before it contacts any cluster). */
async function binaryRefusal(binary: Binary): Promise<string> {
  let stderr = "";
  const code = await runCli([...binary.argv], { env: {}, stdout: () => undefined, stderr: (t) => (stderr += t) });
  return code === 2 ? stderr : `(exit ${code}: accepted)`;
}

describe("a bad value is refused by the chart, its zod source and the binary", () => {
  it.each(BAD_VALUES.map((row) => [JSON.stringify(row.set), row] as const))("%s", async (_, row) => {
    const res = await helmTemplate(row.set);
    expect(res.code, `helm accepted ${JSON.stringify(row.set)}`).not.toBe(0);
    const pointer = `'/${row.names.replaceAll(".", "/")}`;
    expect(res.stderr.includes(pointer) || res.stderr.includes(`${row.names} `), `helm's message names ${row.names}:\n${res.stderr}`).toBe(true);

    const zod = chartValuesSchema.safeParse(withValues(row.set));
    expect(zod.success, "the zod schema accepted it").toBe(false);

    if ("kubernetes" in row.binary) return;
    expect(await binaryRefusal(row.binary), `helios ${row.binary.argv[0]} accepted it`).toContain(row.binary.names);
  });
});

interface Container {
  readonly image: string;
  readonly args: readonly string[];
}
const containerOf = (objects: readonly K8sObject[], name: string): Container => {
  const c = (findObject(objects, "Deployment", name)["spec"] as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
  if (c === undefined) throw new Error(`${name} has no container`);
  return c;
};

const GOOD_VALUES: readonly Readonly<Record<string, unknown>>[] = [
  {},
  { "breaker.quarantine": "1h", "breaker.maxQuarantine": "1h" },
  { "breaker.quarantine": "90s", "breaker.maxQuarantine": "1.5h", "breaker.offenceWindow": "1h30m" },
  { "timing.agentGcAfter": 0, "jobs.finishedTtl": "0s", "timing.jobAckTimeout": "500ms" },
  { "ports.metrics": 9090, "ports.health": 9091, logLevel: "debug" },
  { "leaderElection.enabled": false, replicaCount: 1 },
  { watchNamespaces: ["team-a", "team-b"] },
  { extraArgs: ["--graceful-shutdown-timeout=60s", "--audit-dry-run", "--leader-elect=false"], replicaCount: 1 },
  { "resources.limits.memory": "1.5Gi", "resources.requests.cpu": 0.5 },
  {
    "agents.enabled": true,
    "agents.namespace": "team-a",
    "agents.maxConcurrency": 1000,
    "agents.queues": ["default", "batch"],
    "agents.capabilities": ["gpu", "region.eu"],
  },
];

describe("a good value passes the chart, its zod source and the binary", () => {
  it.each(GOOD_VALUES.map((set) => [JSON.stringify(set), set] as const))("%s", async (_, set) => {
    expect(chartValuesSchema.safeParse(withValues(set)).error?.issues ?? []).toEqual([]);
    const res = await helmTemplate(set);
    expect(res.stderr).toBe("");
    const objects = parseObjects(res.stdout);
    const operatorArgs = containerOf(objects, "helios-operator").args;
    expect(operatorArgs[0]).toBe("operator");
    expect(() => resolveOperatorConfig(operatorFlags(operatorArgs.slice(1)), {})).not.toThrow();
    if (set["agents.enabled"] === true) {
      const agentArgs = containerOf(objects, "helios-agent").args;
      expect(agentArgs[0]).toBe("agent");
      expect(parseAgentFlags(agentFlags(agentArgs.slice(1)))).toMatchObject({ namespace: "team-a", maxConcurrency: 1000 });
    }
  });
});

describe("image.digest", () => {
  const imageOf = async (set: Readonly<Record<string, unknown>>) => {
    const res = await helmTemplate(set);
    expect(res.stderr).toBe("");
    const objects = parseObjects(res.stdout);
    return [containerOf(objects, "helios-operator").image, containerOf(objects, "helios-agent").image];
  };
  const agents = { "agents.enabled": true, "agents.namespace": "team-a" };

  it("renders repository@digest for the operator and the agents, ignoring the tag", async () => {
    expect(await imageOf({ ...agents, "image.repository": "registry.example:5000/team/helios", "image.tag": "1.2.3", "image.digest": DIGEST })).toEqual([
      `registry.example:5000/team/helios@${DIGEST}`,
      `registry.example:5000/team/helios@${DIGEST}`,
    ]);
  });

  it("renders repository:tag without a digest, the chart's appVersion without a tag", async () => {
    expect(await imageOf({ ...agents, "image.tag": "1.2.3" })).toEqual(["ghcr.io/helios-dev/helios:1.2.3", "ghcr.io/helios-dev/helios:1.2.3"]);
    expect(await imageOf(agents)).toEqual(["ghcr.io/helios-dev/helios:0.1.0", "ghcr.io/helios-dev/helios:0.1.0"]);
  });
});

describe("the template's breaker check", () => {
  // helios.durationMs re-reads durations inside Helm; it must order them as parseDuration does.
  it.each([
    ["90m", "1.5h"],
    ["1h0m1s", "1h"],
    ["3600001ms", "1h"],
    ["59.9999m", "1h"],
    ["1h", "3599999ms"],
    ["1500000000µs", "25m"],
    ["25m", "1499999999us"],
    [".5h", "30m0.001s"],
  ])("quarantine %s, maxQuarantine %s: helm and the zod schema agree", async (quarantine, maxQuarantine) => {
    const set = { "breaker.quarantine": quarantine, "breaker.maxQuarantine": maxQuarantine };
    const zodAccepts = chartValuesSchema.safeParse(withValues(set)).success;
    const res = await helmTemplate(set);
    expect(res.code === 0, res.stderr).toBe(zodAccepts);
    if (!zodAccepts) expect(res.stderr).toContain("breaker.maxQuarantine");
  });
});
