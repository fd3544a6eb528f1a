// Handlers that misbehave: throw (huge messages, non-Errors), hang (politely or ignoring their
// signal), or return what no status can hold (megabytes, too many keys, cycles, BigInt). Each attempt
// ends with a bounded status and a clear reason (HandlerFailed, Timeout, ResultTooLarge), the
// operator decides what happens next, and every job ends once.
//
// Protection removed (HELIOS_CHAOS_UNPROTECTED=1): an agent build that writes results and messages
// unbounded; the apiserver refuses those writes, the attempts never report, and the jobs stick.
import { dirname, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as AgentSdk from "../../../src/agent/index.js";
import { AUDIT_LOG_TYPE, JOB_TYPE, LIMITS, type AuditLog, type Job, type JobInput } from "../../../src/api/index.js";
import { readAuditTrail } from "../../../src/audit/index.js";
import { checkInvariants, formatViolations } from "../../../src/invariants/index.js";
import { ResourceClient, Transport } from "../../../src/runtime/client/index.js";
import { cliPath, MUTANTS, unprotected } from "../chaos/support/build.js";
import { CHAOS_LOG_DIR, OperatorProcess, waitUntil } from "../chaos/support/processes.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";

const kc = kubeConfig();
const jobs = new ResourceClient<Job>(new Transport(kc), JOB_TYPE);
const logDir = `${CHAOS_LOG_DIR}/handlers-${new Date().toISOString().replace(/[:.]/g, "")}`;
let ns = "";
let operator: OperatorProcess | undefined;
/** One agent per queue (QUEUE_OF): the failing handlers are split so no agent's breaker trips (5 in a row). */
const agents = new Map<string, AgentSdk.HeliosAgent>();
/** Starts the agents (after the jobs exist). */
let createAgents: () => Promise<void> = () => Promise.resolve();
/** Lets the handler that ignores its signal return at last, so the agent can stop. */
let releaseStubborn: () => void = () => undefined;

const circular = (): unknown => {
  const o: Record<string, unknown> = {};
  o["self"] = o;
  return o;
};

const HANDLERS: Record<string, AgentSdk.Handler> = {
  "throws-huge": () => Promise.reject(new Error(`boom ${"x".repeat(100_000)}`)),
  "throws-string": () => Promise.reject("a plain string"), // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- the point
  "throws-object": () => Promise.reject({ code: 42 }), // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- the point
  "returns-megabytes": () => Promise.resolve({ blob: "x".repeat(5 * 1024 * 1024) }),
  "returns-many-keys": () => Promise.resolve(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]))),
  "returns-cycle": () => Promise.resolve(circular()),
  "returns-bigint": () => Promise.resolve({ n: 10n }),
  "hangs-politely": (_p, ctx) => new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true })),
  "hangs-stubbornly": () => new Promise((resolve) => (releaseStubborn = () => resolve({ late: true }))),
  "huge-progress": (_p, ctx) => {
    ctx.progress(50, "p".repeat(1_000_000));
    return new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 1500));
  },
};

/**
 * Which agent runs each handler: at most 4 failures per agent, so no circuit breaker trips (it would
 * park the agent's remaining jobs for a minute), whatever the dispatcher places in one cycle.
 */
const QUEUE_OF: Record<string, string> = {
  "throws-huge": "throwers",
  "throws-string": "throwers",
  "throws-object": "throwers",
  "returns-megabytes": "returners",
  "returns-many-keys": "returners",
  "returns-cycle": "returners",
  "returns-bigint": "returners",
  "hangs-politely": "steady",
  "hangs-stubbornly": "steady",
  "huge-progress": "steady",
};

/** What each job must end with: its phase and the reason on its first attempt's record. */
const EXPECTED: Record<string, { phase: string; reason?: string }> = {
  "throws-huge": { phase: "Failed", reason: "HandlerFailed" },
  "throws-string": { phase: "Failed", reason: "HandlerFailed" },
  "throws-object": { phase: "Failed", reason: "HandlerFailed" },
  "returns-megabytes": { phase: "Failed", reason: "ResultTooLarge" },
  "returns-many-keys": { phase: "Failed", reason: "ResultTooLarge" },
  "returns-cycle": { phase: "Failed", reason: "ResultTooLarge" },
  "returns-bigint": { phase: "Failed", reason: "ResultTooLarge" },
  "hangs-politely": { phase: "Failed", reason: "Timeout" },
  "hangs-stubbornly": { phase: "Failed" },
  "huge-progress": { phase: "Succeeded" },
};

beforeAll(async () => {
  const system = await createNamespace("fuzz-handlers-sys");
  ns = await createNamespace("fuzz-handlers");
  const main = cliPath(unprotected() ? MUTANTS.unbounded : undefined);
  // The SDK from the same build the test runs (the mutant's, when unprotected).
  const sdk = (await import(join(dirname(dirname(main)), "agent/index.js"))) as typeof AgentSdk;
  operator = await OperatorProcess.start({ name: "handlers-operator", namespaces: [ns], operatorNamespace: system, kubeconfig: kubeconfigPath(), cli: cliPath(), logDir });
  await operator.ready();
  const agentKc = new KubeConfig();
  agentKc.loadFromFile(kubeconfigPath());
  createAgents = async () => {
    for (const queue of new Set(Object.values(QUEUE_OF))) {
      const options = { name: queue, namespace: ns, queues: [queue], maxConcurrency: 4, handlers: HANDLERS, kubeConfig: agentKc, leaseDurationSeconds: 4, ackDelayMs: 300, progressIntervalMs: 200 };
      agents.set(queue, sdk.createAgent(options));
    }
    await Promise.all([...agents.values()].map((a) => a.start()));
  };
}, 120_000);

afterAll(async () => {
  releaseStubborn();
  await Promise.all([...agents.values()].map((a) => a.drain(0)));
  await operator?.kill();
});

describe("handlers that throw, hang or return too much", () => {
  it("end with bounded statuses and clear reasons; every job ends once", async () => {
    for (const type of Object.keys(HANDLERS)) {
      const spec: JobInput["spec"] = {
        type,
        retry: { maxRetries: 0, backoffSeconds: 1, maxBackoffSeconds: 1 },
        ...(type.startsWith("hangs") ? { timeoutSeconds: 2 } : {}),
        queue: QUEUE_OF[type] ?? "default",
      };
      await jobs.create({ apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: type, namespace: ns }, spec } as Job);
    }
    await createAgents();
    let all: Job[] = [];
    const settled = await waitUntil(
      "every job terminal",
      async () => {
        all = (await jobs.listAll({ namespace: ns })).items;
        return all.length === Object.keys(HANDLERS).length && all.every((j) => j.status?.phase === "Succeeded" || j.status?.phase === "Failed");
      },
      unprotected() ? 20_000 : 40_000,
    ).then(
      () => true,
      () => false,
    );

    // Every way an attempt's ending can go wrong, as sentences.
    const problems: string[] = settled ? [] : [`not all terminal: ${JSON.stringify(all.map((j) => [j.metadata.name, j.status?.phase]))}`];
    for (const job of all) {
      const name = job.metadata.name ?? "";
      const expected = EXPECTED[name];
      const first = job.status?.attempts?.[0];
      if (job.status?.phase !== expected?.phase) problems.push(`${name}: ${job.status?.phase ?? "no phase"}, expected ${expected?.phase ?? "?"}`);
      if (expected?.reason !== undefined && first?.reason !== expected.reason) problems.push(`${name}: attempt reason ${first?.reason ?? "none"}, expected ${expected.reason}`);
      // Bounded: the whole status stays small, messages within the schema's limit.
      if (JSON.stringify(job.status).length >= 8 * 1024) problems.push(`${name}: status of ${JSON.stringify(job.status).length} bytes`);
      if ((job.status?.lastError?.message ?? "").length > LIMITS.messageLength) problems.push(`${name}: lastError.message unbounded`);
      if ((job.status?.progress?.message ?? "").length > LIMITS.messageLength) problems.push(`${name}: progress.message unbounded`);
      if (name === "returns-megabytes" && job.status?.result !== undefined) problems.push(`${name}: a result was stored`);
    }
    if (unprotected()) {
      expect(problems.length, "without bounds the attempts cannot be reported as designed").toBeGreaterThan(0);
      console.info(`[fuzz] handlers without bounds:\n${problems.slice(0, 8).join("\n")}`);
      return;
    }
    expect(problems).toEqual([]);

    releaseStubborn();
    await Promise.all([...agents.values()].map((a) => a.drain(0)));
    await operator?.stop();
    const audit = await readAuditTrail(new ResourceClient<AuditLog>(new Transport(kc), AUDIT_LOG_TYPE), { namespace: ns, query: {}, now: Date.now() });
    const executions = [...agents].flatMap(([name, a]) => a.executions.map((e) => ({ ...e, agent: name })));
    const report = checkInvariants({ jobs: all, audit, executions });
    expect(report.violations, formatViolations(report.violations)).toEqual([]);
  }, 120_000);
});
