// Terminal errors are terminal: a failure no retry can fix (no handler for the type, a payload the
// handler refuses, a result too large, a handler's TerminalError) fails the Job at once with that
// reason, on its first attempt, with its retries unspent. A retry would wait out a 15-30 s backoff.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCondition, type Job } from "../../../src/api/index.js";
import { builtinHandlers, createAgent, TerminalError, type HeliosAgent } from "../../../src/agent/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { clients, fileLogger, jobBody, startOperator, waitFor, waitReady, type RunningOperator } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
const RETRY = { maxRetries: 3, backoffSeconds: 30, maxBackoffSeconds: 600 };
let ns: string;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;

const get = (name: string): Promise<Job> => c.jobs.get({ namespace: ns, name });

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("jobs-terminal"), createNamespace("jobs-terminal-system")]);
  ns = tenant;
  operator = await startOperator([ns], system, { "agent-failure-threshold": "100" }, "terminal-operator");
  agent = createAgent({
    name: "worker",
    namespace: ns,
    maxConcurrency: 4,
    kubeConfig: kc,
    leaseDurationSeconds: 4,
    handlers: {
      ...builtinHandlers(),
      invoice: () => Promise.reject(new TerminalError("invoice 42 was already paid", "InvoicePaid")),
    },
    log: fileLogger(`agent-${ns}-worker`, "warn"),
  });
  await agent.start();
  await waitReady(c, ns, ["worker"]);
}, 120_000);

afterAll(async () => {
  await agent?.drain(0);
  await operator?.stop();
});

describe("terminal failures", () => {
  it.each([
    { name: "no-handler", spec: { type: "report.generate" }, reason: "NoHandler" },
    { name: "bad-payload", spec: { type: "fail", payload: { times: -1e308 } }, reason: "BadPayload" },
    { name: "too-large", spec: { type: "echo", payload: { message: "x".repeat(20_000) } }, reason: "ResultTooLarge" },
    { name: "sdk-terminal", spec: { type: "invoice" }, reason: "InvoicePaid" },
  ])("$reason fails the Job at once on its first attempt", async ({ name, spec, reason }) => {
    await c.jobs.create(jobBody(ns, name, { ...spec, retry: RETRY }));
    await waitFor(`${name} Failed`, async () => (await get(name)).status?.phase === "Failed", 20_000, async () => JSON.stringify((await get(name)).status));
    const status = (await get(name)).status;
    expect(status).toMatchObject({ phase: "Failed", lastError: { reason, terminal: true } });
    expect(status?.retries ?? 0).toBe(0);
    expect(status?.attempts?.map((a) => [a.attempt, a.outcome, a.reason])).toEqual([[1, "Failed", reason]]);
    expect(findCondition(status?.conditions, "Failed")).toMatchObject({ status: "True", reason });
    expect(status?.nextAttemptAt).toBeUndefined();
  });
});
