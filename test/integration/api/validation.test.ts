// Bad Helios objects are rejected by the real apiserver with a message saying what to fix, and zod agrees.
import { beforeAll, describe, expect, it } from "vitest";
import { GROUP, VERSION, safeParseAgent, safeParseAuditLog, safeParseFeatureFlag, safeParseJob } from "../../../src/api/index.js";
import { createNamespace, kubectl } from "../support/cluster.js";

const apiVersion = `${GROUP}/${VERSION}`;
const job = (spec: unknown) => ({ apiVersion, kind: "Job", metadata: { name: "bad" }, spec });
const flag = (spec: unknown) => ({ apiVersion, kind: "FeatureFlag", metadata: { name: "bad" }, spec });
const agent = (spec: unknown) => ({ apiVersion, kind: "Agent", metadata: { name: "bad" }, spec });
const entry = { time: "2025-01-01T00:00:00Z", action: "assigned", kind: "Job", name: "j", actor: "queue-priority" };
const auditLog = (name: string, spec: unknown) => ({ apiVersion, kind: "AuditLog", metadata: { name }, spec });

const parsers: Record<string, (v: unknown) => { ok: boolean }> = {
  Job: safeParseJob,
  FeatureFlag: safeParseFeatureFlag,
  Agent: safeParseAgent,
  AuditLog: safeParseAuditLog,
};

/** Objects the apiserver must refuse on create, and text its message must contain. */
const BAD_CREATES: [name: string, object: { kind: string }, expected: string[]][] = [
  ["missing type", job({ priority: "high" }), ["spec.type: Required value"]],
  ["unknown priority", job({ type: "echo", priority: "urgent" }), ['Unsupported value: "urgent"', '"critical", "high", "normal", "low"']],
  ["negative retries", job({ type: "echo", retry: { maxRetries: -1 } }), ["spec.retry.maxRetries", "greater than or equal to 0"]],
  ["unbounded retries", job({ type: "echo", retry: { maxRetries: 1000 } }), ["spec.retry.maxRetries", "less than or equal to 100"]],
  ["backoff above maxBackoff", job({ type: "echo", retry: { backoffSeconds: 700 } }), ["spec.retry.backoffSeconds", "backoffSeconds must not exceed maxBackoffSeconds"]],
  ["zero timeout", job({ type: "echo", timeoutSeconds: 0 }), ["spec.timeoutSeconds", "greater than or equal to 1"]],
  [
    "oversized payload",
    job({ type: "echo", payload: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }),
    ["spec.payload", "must have at most 64 items"],
  ],
  ["payload of the wrong type", job({ type: "echo", payload: "hello" }), ["spec.payload", "must be of type object"]],
  ["retries of the wrong type", job({ type: "echo", retry: { maxRetries: "three" } }), ["spec.retry.maxRetries", "must be of type integer"]],
  ["notBefore not a time", job({ type: "echo", notBefore: "tomorrow" }), ["spec.notBefore", "date-time"]],
  ["queue not a DNS label", job({ type: "echo", queue: "Batch_Queue" }), ["spec.queue", "should match"]],
  ["duplicate capabilities", job({ type: "echo", requiredCapabilities: ["gpu", "gpu"] }), ["spec.requiredCapabilities[1]", "Duplicate value"]],
  [
    "selector In without values",
    job({ type: "echo", agentSelector: { matchExpressions: [{ key: "zone", operator: "In" }] } }),
    ["spec.agentSelector.matchExpressions[0].values", "values must be non-empty for In and NotIn"],
  ],
  [
    "selector with an unknown operator",
    job({ type: "echo", agentSelector: { matchExpressions: [{ key: "zone", operator: "Contains", values: ["a"] }] } }),
    ["spec.agentSelector.matchExpressions[0].operator", 'Unsupported value: "Contains"'],
  ],
  [
    "selector with an invalid label key",
    job({ type: "echo", agentSelector: { matchLabels: { "not a key!": "x" } } }),
    ["spec.agentSelector.matchLabels", "matchLabels keys must be label keys"],
  ],
  [
    "defaultVariant not in variants",
    flag({ state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "maybe" }),
    ["spec.defaultVariant", "defaultVariant must name one of the keys of variants"],
  ],
  ["bad flag state", flag({ state: "ON", variants: { on: true }, defaultVariant: "on" }), ['spec.state: Unsupported value: "ON"', '"ENABLED", "DISABLED"']],
  ["flag without variants", flag({ state: "ENABLED", variants: {}, defaultVariant: "on" }), ["spec.variants", "should have at least 1 properties"]],
  ["agent with zero concurrency", agent({ maxConcurrency: 0 }), ["spec.maxConcurrency", "greater than or equal to 1"]],
  [
    "audit chunk whose count is wrong",
    auditLog("bad", { startTime: entry.time, endTime: entry.time, count: 2, entries: [entry] }),
    ["spec.count", "count must equal the number of entries"],
  ],
];

describe("the apiserver rejects bad Helios objects", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNamespace("api-validation");
  });

  it.each(BAD_CREATES)("rejects %s", async (_name, object, expected) => {
    const result = await kubectl(["create", "-n", ns, "-f", "-"], { input: JSON.stringify(object) });
    expect(result.code, result.stdout).not.toBe(0);
    for (const text of expected) expect(result.stderr).toContain(text);
    // The client-side schema refuses the same object, so Helios tools fail before the round trip.
    expect(parsers[object.kind]?.(object).ok).toBe(false);
  });

  describe("Job spec is immutable after creation except cancel", () => {
    const original = { type: "echo", priority: "high", payload: { message: "hi", nested: { list: [1, 2] } } };
    beforeAll(async () => {
      const created = await kubectl(["create", "-n", ns, "-f", "-"], { input: JSON.stringify({ ...job(original), metadata: { name: "frozen" } }) });
      expect(created.code, created.stderr).toBe(0);
    });
    const patch = (spec: object) => kubectl(["patch", "hjob", "frozen", "-n", ns, "--type=merge", "-p", JSON.stringify({ spec })]);

    it.each([
      ["a changed field", { priority: "low" }, "spec.priority is immutable"],
      ["a change deep inside the payload", { payload: { nested: { list: [1, 3] } } }, "spec.payload is immutable"],
      ["an optional field added", { timeoutSeconds: 30 }, "spec.timeoutSeconds is immutable"],
      ["an optional field removed", { payload: null }, "spec.payload is immutable"],
      ["a defaulted field changed", { retry: { maxRetries: 5 } }, "spec.retry is immutable"],
    ])("rejects %s", async (_name, spec, expected) => {
      const result = await patch(spec);
      expect(result.code, result.stdout).not.toBe(0);
      expect(result.stderr).toContain(expected);
      expect(result.stderr).toContain("only spec.cancel may change after creation");
    });

    it("accepts setting cancel", async () => {
      const result = await patch({ cancel: true });
      expect(result.code, result.stderr).toBe(0);
      const got = await kubectl(["get", "hjob", "frozen", "-n", ns, "-o", "jsonpath={.spec.cancel} {.spec.priority}"]);
      expect(got.stdout).toBe("true high");
    });

    it.each([
      ["set back to false", { cancel: false }],
      ["removed", { cancel: null }],
    ])("refuses cancel %s once it is true", async (_name, spec) => {
      const result = await patch(spec);
      expect(result.code, result.stdout).not.toBe(0);
      expect(result.stderr).toContain("spec.cancel cannot be undone once true: a cancelled Job stays cancelled");
      const got = await kubectl(["get", "hjob", "frozen", "-n", ns, "-o", "jsonpath={.spec.cancel}"]);
      expect(got.stdout).toBe("true");
    });
  });

  it("rejects any change to a written AuditLog chunk", async () => {
    const spec = { startTime: entry.time, endTime: entry.time, count: 1, entries: [entry] };
    const created = await kubectl(["create", "-n", ns, "-f", "-"], { input: JSON.stringify(auditLog("sealed", spec)) });
    expect(created.code, created.stderr).toBe(0);
    const changed = { ...spec, entries: [{ ...entry, message: "rewritten history" }] };
    const result = await kubectl(["patch", "haudit", "sealed", "-n", ns, "--type=merge", "-p", JSON.stringify({ spec: changed })]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("AuditLog entries are immutable: write a new AuditLog chunk instead");
  });

  it("applies the DESIGN defaults server-side", async () => {
    const created = await kubectl(["create", "-n", ns, "-o", "json", "-f", "-"], {
      input: JSON.stringify({ ...job({ type: "echo" }), metadata: { name: "defaults" } }),
    });
    expect(created.code, created.stderr).toBe(0);
    const spec = (JSON.parse(created.stdout) as { spec: object }).spec;
    expect(spec).toEqual({ type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } });
    const a = await kubectl(["create", "-n", ns, "-o", "json", "-f", "-"], { input: JSON.stringify({ ...agent({}), metadata: { name: "defaults" } }) });
    expect((JSON.parse(a.stdout) as { spec: object }).spec).toEqual({ queues: ["default"], maxConcurrency: 1 });
  });
});
