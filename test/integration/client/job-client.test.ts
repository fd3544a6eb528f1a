// The job client against the real apiserver, operator and an agent: idempotent submit, submitMany,
// waitFor's outcomes as typed errors, watch, list and cancel; bad input refused before any request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeliosAgent } from "../../../src/agent/index.js";
import {
  connectJobClient,
  IdempotencyConflictError,
  InvalidJobSpecError,
  JobCancelledError,
  JobExpiredError,
  JobFailedError,
  WaitTimeoutError,
  type JobClient,
  type JobEvent,
} from "../../../src/client/index.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";
import { clients, startAgent, startOperator, waitReady, type RunningOperator } from "../jobs/support.js";

const kc = kubeConfig();
let ns: string;
let operator: RunningOperator | undefined;
let agent: HeliosAgent | undefined;
let jobs: JobClient;
const NO_RETRY = { maxRetries: 0, backoffSeconds: 1, maxBackoffSeconds: 1 };

beforeAll(async () => {
  const [tenant, system] = await Promise.all([createNamespace("client"), createNamespace("client-system")]);
  ns = tenant;
  operator = await startOperator([ns], system, {}, "client-operator");
  agent = await startAgent(kc, { name: "worker", namespace: ns, maxConcurrency: 8 });
  await waitReady(clients(kc), ns, ["worker"]);
  jobs = await connectJobClient({ kubeconfig: kubeconfigPath(), namespace: ns, env: {} });
}, 120_000);

afterAll(async () => {
  await agent?.drain(0);
  await operator?.stop();
});

describe("submit", () => {
  it("an idempotency key names the Job: a repeat returns it and says it existed", async () => {
    const first = await jobs.submit({ type: "echo", payload: { message: "once" } }, { idempotencyKey: "order-1" });
    const again = await jobs.submit({ type: "echo", payload: { message: "once" } }, { idempotencyKey: "order-1" });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.job.metadata.uid).toBe(first.job.metadata.uid);
    expect(first.name).toMatch(/^order-1-[0-9a-f]{16}$/);
    expect(again.name).toBe(first.name);
    await expect(jobs.waitFor(first.job.metadata.name ?? "", { timeoutMs: 30_000 })).resolves.toMatchObject({ phase: "Succeeded", result: { message: "once" } });
  });

  it("the same key with another spec is a conflict, not a second Job", async () => {
    await jobs.submit({ type: "echo", payload: { message: "a" } }, { idempotencyKey: "order-2" });
    const error = await jobs.submit({ type: "echo", payload: { message: "b" } }, { idempotencyKey: "order-2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error).toMatchObject({ code: "IdempotencyConflict" });
  });

  it("without a name or key the apiserver names the Job after its type", async () => {
    const { job, created } = await jobs.submit({ type: "report.generate-daily", notBefore: "2099-01-01T00:00:00Z" });
    expect(created).toBe(true);
    expect(job.metadata.name).toMatch(/^report-generate-daily-[a-z0-9]{5}$/);
  });

  it.each([
    { what: "an unknown priority", spec: { type: "echo", priority: "urgent" }, path: "spec.priority" },
    { what: "a payload over the bound", spec: { type: "echo", payload: { blob: "x".repeat(70_000) } }, path: "spec.payload" },
    { what: "a bad selector", spec: { type: "echo", agentSelector: { matchLabels: { "bad key!": "x" } } }, path: "spec.agentSelector" },
  ])("$what is refused with the field's path, and nothing is created", async ({ spec, path }) => {
    const before = (await jobs.list()).length;
    // @ts-expect-error: the wrong values are the point
    const error = await jobs.submit(spec, { idempotencyKey: `bad-${path}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidJobSpecError);
    expect((error as Error).message).toContain(path);
    expect((await jobs.list()).length).toBe(before);
  });
});

describe("submitMany and waitFor", () => {
  it("submits in order, twice idempotently, and waits for every result", async () => {
    const requests = Array.from({ length: 30 }, (_, i) => ({ spec: { type: "echo", payload: { message: `m${i}` } }, idempotencyKey: `batch-${i}`, labels: { batch: "one" } }));
    const first = await jobs.submitMany(requests, { concurrency: 10 });
    const again = await jobs.submitMany(requests, { concurrency: 10 });
    expect(first.every((s) => s.created)).toBe(true);
    expect(again.every((s) => !s.created)).toBe(true);
    expect(again.map((s) => s.job.metadata.uid)).toEqual(first.map((s) => s.job.metadata.uid));
    const results = await Promise.all(first.map((s) => jobs.waitFor(s.job.metadata.name ?? "", { timeoutMs: 60_000 })));
    expect(results.map((r) => r.result)).toEqual(requests.map((r) => ({ message: r.spec.payload.message })));
    expect(await jobs.list({ labelSelector: "batch=one", phase: "Succeeded", type: "echo" })).toHaveLength(30);
    expect(await jobs.list({ labelSelector: "batch=one", phase: ["Pending", "Failed"] })).toHaveLength(0);
  });

  it("a bad request anywhere in a batch sends none of it", async () => {
    const before = (await jobs.list()).length;
    const error = await jobs
      .submitMany([{ spec: { type: "echo" } }, { spec: { type: "echo", retry: { maxRetries: -1 } } }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidJobSpecError);
    expect((error as Error).message).toContain("requests[1].spec.retry.maxRetries");
    expect((await jobs.list()).length).toBe(before);
  });

  it("a failed Job rejects with JobFailed carrying lastError", async () => {
    const { job } = await jobs.submit({ type: "fail", payload: { message: "card declined" }, retry: NO_RETRY });
    const error = await jobs.waitFor(job.metadata.name ?? "", { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ code: "JobFailed", lastError: { reason: expect.any(String) as string } });
  });

  it("an expired Job rejects with JobExpired", async () => {
    const { job } = await jobs.submit({ type: "echo", queue: "nobody-serves-this", maxQueueSeconds: 1 });
    const error = await jobs.waitFor(job.metadata.name ?? "", { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobExpiredError);
    expect(error).toMatchObject({ code: "JobExpired" });
  });

  it("a cancelled Job rejects with JobCancelled, and a second cancel says it was asked", async () => {
    const { job } = await jobs.submit({ type: "sleep", payload: { duration: "10m" } });
    const name = job.metadata.name ?? "";
    const waiting = jobs.waitFor(name).catch((e: unknown) => e);
    expect((await jobs.cancel(name)).result).toBe("requested");
    expect(["already", "finished"]).toContain((await jobs.cancel(name)).result);
    const error = await waiting;
    expect(error).toBeInstanceOf(JobCancelledError);
    expect(error).toMatchObject({ code: "JobCancelled" });
  });

  it("waitFor gives up with WaitTimeout, and says NotFound for a Job that is not there", async () => {
    const { job } = await jobs.submit({ type: "echo", notBefore: "2099-01-01T00:00:00Z" });
    const timedOut = await jobs.waitFor(job.metadata.name ?? "", { timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(WaitTimeoutError);
    expect(timedOut).toMatchObject({ code: "WaitTimeout", job: { metadata: { name: job.metadata.name } } });
    await expect(jobs.waitFor("no-such-job", { timeoutMs: 10_000 })).rejects.toMatchObject({ code: "NotFound" });
    await expect(jobs.get("no-such-job")).rejects.toMatchObject({ code: "NotFound" });
  });

  it("an aborted signal ends the wait with its reason", async () => {
    const { job } = await jobs.submit({ type: "echo", notBefore: "2099-01-01T00:00:00Z" });
    const abort = new AbortController();
    const waiting = jobs.waitFor(job.metadata.name ?? "", { signal: abort.signal }).catch((e: unknown) => e);
    abort.abort(new Error("shutting down"));
    expect(await waiting).toMatchObject({ message: "shutting down" });
  });
});

describe("watch", () => {
  it("reports each phase change and the handler's progress, in order, until it ends", async () => {
    const { job } = await jobs.submit({ type: "sleep", payload: { duration: "3s" } }, { labels: { watched: "yes" } });
    const events: JobEvent[] = [];
    for await (const event of jobs.watch({ labelSelector: "watched=yes" })) {
      events.push(event);
      if (event.type === "phase" && event.phase === "Succeeded") break;
    }
    const phases = events.filter((e) => e.type === "phase").map((e) => (e.type === "phase" ? e.phase : ""));
    expect(phases[0]).toMatch(/Pending|Assigned|Running/);
    expect(phases.at(-1)).toBe("Succeeded");
    expect(phases).toContain("Running");
    expect(events.some((e) => e.type === "progress")).toBe(true);
    expect(events.every((e) => e.job.metadata.uid === job.metadata.uid)).toBe(true);
  });
});
