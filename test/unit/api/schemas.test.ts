// The zod schemas: defaults per DESIGN, rejection of bad input with the field named, and the samples parse.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import {
  ApiValidationError,
  CONTROL_FLAGS,
  CONTROL_FLAG_KEYS,
  DEFAULT_OPERATOR_NAMESPACE,
  defaultVariantValue,
  isTerminalJobPhase,
  JOB_PHASES,
  LIMITS,
  parseAgent,
  parseJob,
  safeParseAgent,
  safeParseAuditLog,
  safeParseFeatureFlag,
  safeParseJob,
  TERMINAL_JOB_PHASES,
  type FeatureFlag,
} from "../../../src/api/index.js";

const meta = { name: "x", namespace: "tenant-a" };
const job = (spec: Record<string, unknown>) => ({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: meta, spec });
const flag = (spec: Record<string, unknown>) => ({ apiVersion: "helios.dev/v1alpha1", kind: "FeatureFlag", metadata: meta, spec });

function errorOf(result: { ok: boolean; error?: string }): string {
  expect(result.ok).toBe(false);
  return result.error ?? "";
}

/** `{ x: { x: ... } }`, `levels` objects deep. */
function nestedPayload(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) node = node["x"] = {};
  return root;
}

describe("Job", () => {
  it("fills the DESIGN defaults: priority normal, queue default, retry 3/10/600", () => {
    const parsed = parseJob(job({ type: "echo" }));
    expect(parsed.spec).toEqual({
      type: "echo",
      priority: "normal",
      queue: "default",
      retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 },
    });
    expect(parseJob(job({ type: "echo", retry: { maxRetries: 0 } })).spec.retry).toEqual({
      maxRetries: 0,
      backoffSeconds: 10,
      maxBackoffSeconds: 600,
    });
  });

  it("keeps unknown metadata (finalizers, managedFields) so a parsed object can be written back", () => {
    const parsed = parseJob({ ...job({ type: "echo" }), metadata: { ...meta, managedFields: [{ manager: "kubectl" }] } });
    expect(parsed.metadata["managedFields"]).toEqual([{ manager: "kubectl" }]);
  });

  it.each([
    ["missing type", { priority: "high" }, "spec.type"],
    ["unknown priority", { type: "echo", priority: "urgent" }, "spec.priority"],
    ["negative retries", { type: "echo", retry: { maxRetries: -1 } }, "spec.retry.maxRetries"],
    ["backoff above max", { type: "echo", retry: { backoffSeconds: 700 } }, "backoffSeconds must not exceed maxBackoffSeconds"],
    ["zero timeout", { type: "echo", timeoutSeconds: 0 }, "spec.timeoutSeconds"],
    ["bad queue name", { type: "echo", queue: "Not_A_Label" }, "spec.queue"],
    ["selector In without values", { type: "echo", agentSelector: { matchExpressions: [{ key: "zone", operator: "In" }] } }, "values must be non-empty"],
    ["bad label key", { type: "echo", agentSelector: { matchLabels: { "bad key!": "x" } } }, "spec.agentSelector.matchLabels"],
    ["payload with too many bytes", { type: "echo", payload: { blob: "x".repeat(LIMITS.payloadBytes) } }, "payload must serialize"],
    ["payload nested one level too deep", { type: "echo", payload: nestedPayload(LIMITS.jsonDepth + 1) }, "payload must nest at most 32 levels deep"],
    ["payload nested past JSON.stringify's stack", { type: "echo", payload: nestedPayload(5000) }, "payload must nest at most 32 levels deep"],
    ["payload with too many keys", { type: "echo", payload: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }, "at most 64 top-level keys"],
    ["duplicate capabilities", { type: "echo", requiredCapabilities: ["gpu", "gpu"] }, "items must be unique"],
    ["notBefore not a time", { type: "echo", notBefore: "tomorrow" }, "spec.notBefore"],
  ])("rejects %s", (_name, spec, expected) => {
    expect(errorOf(safeParseJob(job(spec)))).toContain(expected);
  });

  it("throws ApiValidationError naming the field", () => {
    expect(() => parseJob(job({}))).toThrow(ApiValidationError);
    expect(() => parseJob(job({}))).toThrow(/spec\.type/);
  });

  it("knows which phases are terminal", () => {
    expect(JOB_PHASES.filter((p) => isTerminalJobPhase(p))).toEqual([...TERMINAL_JOB_PHASES]);
    expect(isTerminalJobPhase(undefined)).toBe(false);
  });
});

describe("Agent", () => {
  const agent = (spec: Record<string, unknown>) => ({ apiVersion: "helios.dev/v1alpha1", kind: "Agent", metadata: meta, spec });
  it("defaults queues to [default] and maxConcurrency to 1", () => {
    expect(parseAgent(agent({})).spec).toEqual({ queues: ["default"], maxConcurrency: 1 });
  });
  it("rejects maxConcurrency 0 and an empty queue list", () => {
    expect(errorOf(safeParseAgent(agent({ maxConcurrency: 0 })))).toContain("spec.maxConcurrency");
    expect(errorOf(safeParseAgent(agent({ queues: [] })))).toContain("spec.queues");
  });
});

describe("FeatureFlag", () => {
  it("accepts boolean, string, number and object variants with targeting", () => {
    const result = safeParseFeatureFlag(
      flag({
        state: "ENABLED",
        variants: { a: true, b: "blue", c: 3, d: { nested: [1] } },
        defaultVariant: "b",
        targeting: { if: [{ "==": [{ var: "queue" }, "batch"] }, "a", "b"] },
      }),
    );
    expect(result.ok).toBe(true);
  });
  it.each([
    ["defaultVariant not in variants", { state: "ENABLED", variants: { on: true }, defaultVariant: "off" }, "defaultVariant must name one of the keys"],
    ["bad state", { state: "ON", variants: { on: true }, defaultVariant: "on" }, "spec.state"],
    ["no variants", { state: "ENABLED", variants: {}, defaultVariant: "on" }, "variants must have between 1"],
    ["array variant", { state: "ENABLED", variants: { on: [true] }, defaultVariant: "on" }, "spec.variants.on"],
  ])("rejects %s", (_name, spec, expected) => {
    expect(errorOf(safeParseFeatureFlag(flag(spec)))).toContain(expected);
  });
});

describe("AuditLog", () => {
  const entry = { time: "2025-01-01T00:00:00Z", action: "assigned", kind: "Job", name: "j", actor: "queue-priority" };
  const log = (spec: Record<string, unknown>) => ({ apiVersion: "helios.dev/v1alpha1", kind: "AuditLog", metadata: meta, spec });
  it("accepts a consistent chunk", () => {
    expect(safeParseAuditLog(log({ startTime: entry.time, endTime: entry.time, count: 1, entries: [entry] })).ok).toBe(true);
  });
  it("rejects a count that does not match and a reversed time range", () => {
    const error = errorOf(
      safeParseAuditLog(log({ startTime: "2025-01-02T00:00:00Z", endTime: entry.time, count: 2, entries: [entry] })),
    );
    expect(error).toContain("count must equal the number of entries");
    expect(error).toContain("startTime must not be after endTime");
  });
});

describe("manifests/samples", () => {
  const dir = join(import.meta.dirname, "../../../manifests/samples");
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => ({ file: f, doc: d.toJS() as unknown })));
  const parsers: Record<string, (v: unknown) => { ok: boolean; error?: string }> = {
    Job: safeParseJob,
    Agent: safeParseAgent,
    FeatureFlag: safeParseFeatureFlag,
    AuditLog: safeParseAuditLog,
    // 00-namespace.yaml: the samples' tenant namespace, created first by `kubectl apply -f`.
    Namespace: (v) => {
      const name = (v as { metadata?: { name?: string } }).metadata?.name;
      return name === "helios-demo" ? { ok: true } : { ok: false, error: `a sample Namespace other than helios-demo: ${String(name)}` };
    },
  };

  it("parse with the schemas", () => {
    expect(docs.length).toBeGreaterThan(0);
    for (const { file, doc } of docs) {
      const kind = (doc as { kind: string }).kind;
      const parse = parsers[kind];
      expect(parse, `${file}: unknown kind ${kind}`).toBeDefined();
      const result = parse?.(doc);
      expect(result?.ok, `${file}: ${result?.error ?? ""}`).toBe(true);
    }
  });

  it("hold Jobs of every priority class and each built-in handler, and two Agents", () => {
    const jobs = docs.map((d) => safeParseJob(d.doc)).flatMap((r) => (r.ok ? [r.value] : []));
    expect(new Set(jobs.map((j) => j.spec.type))).toEqual(new Set(["echo", "sleep", "fail"]));
    expect(new Set(jobs.map((j) => j.spec.priority))).toEqual(new Set(["critical", "high", "normal", "low"]));
    expect(docs.filter((d) => (d.doc as { kind: string }).kind === "Agent")).toHaveLength(2);
  });

  it("set every control flag, in the operator namespace, to its no-effect value", () => {
    const flags = docs.map((d) => safeParseFeatureFlag(d.doc)).flatMap((r) => (r.ok ? [r.value] : []));
    const byName = new Map<string, FeatureFlag>(flags.map((f) => [f.metadata.name ?? "", f]));
    for (const key of Object.values(CONTROL_FLAG_KEYS)) {
      const f = byName.get(key);
      expect(f, key).toBeDefined();
      expect(f?.metadata.namespace).toBe(DEFAULT_OPERATOR_NAMESPACE);
      expect(f?.spec.state).toBe("ENABLED");
      const served = f ? defaultVariantValue(f.spec) : undefined;
      expect(typeof served).toBe(CONTROL_FLAGS[key].type);
      expect(served).toBe(CONTROL_FLAGS[key].neutralValue);
    }
  });
});
