// One fenced status write against a scripted client: conflicts recompute, a moved-on attempt drops
// the write, and a write whose answer was lost counts as written once a re-read shows it landed.
import { describe, expect, it } from "vitest";
import { type Job, type JobStatus } from "../../../src/api/index.js";
import { writeFenced } from "../../../src/agent/fenced-write.js";
import { succeededStatus, type Fence } from "../../../src/agent/index.js";
import { ConflictError, NetworkError, TimeoutError, TooManyRequestsError } from "../../../src/runtime/client/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";

const NOW = new Date("2030-01-01T00:00:10Z");
const fence: Fence = { uid: "u1", agent: "a1", attempt: 1 };
const running: JobStatus = {
  phase: "Running",
  attempt: 1,
  assignedAgent: "a1",
  attempts: [{ attempt: 1, agent: "a1", outcome: "", assignedAt: "2030-01-01T00:00:00Z", startedAt: "2030-01-01T00:00:01Z" }],
};

function job(status: JobStatus, resourceVersion: string, labels?: Record<string, string>): Job {
  return {
    apiVersion: "helios.dev/v1alpha1",
    kind: "Job",
    metadata: { name: "j", namespace: "ns", uid: "u1", resourceVersion, ...(labels === undefined ? {} : { labels }) },
    spec: { type: "echo", priority: "normal", queue: "default", retry: { maxRetries: 3, backoffSeconds: 10, maxBackoffSeconds: 600 } },
    status,
  };
}

type Step = "ok" | "lose-answer" | "fail" | "throttle";

/** The apiserver's /status PUT and GET as far as a fenced write sees them, with scripted failures. */
class ScriptedClient {
  stored: Job;
  /** The body of the latest PUT. */
  sent: Job | undefined;
  readonly puts: Step[];
  readonly gets: Step[];
  #rv = 10;

  constructor(stored: Job, puts: Step[] = [], gets: Step[] = []) {
    this.stored = stored;
    this.puts = puts;
    this.gets = gets;
  }

  replaceStatus(obj: Job): Promise<Job> {
    this.sent = obj;
    const step = this.puts.shift() ?? "ok";
    if (step === "fail") return Promise.reject(new NetworkError({ message: "connection refused" }));
    if (step === "throttle") return Promise.reject(new TooManyRequestsError({ message: "slow down", status: 429, retryAfterSeconds: 0.05 }));
    if (obj.metadata.resourceVersion !== this.stored.metadata.resourceVersion) return Promise.reject(new ConflictError({ message: "stale", status: 409 }));
    this.stored = { ...this.stored, metadata: { ...this.stored.metadata, resourceVersion: String(this.#rv++) }, status: obj.status };
    // The write landed; its answer did not arrive.
    if (step === "lose-answer") return Promise.reject(new TimeoutError({ message: "request timed out" }));
    return Promise.resolve(this.stored);
  }

  get(): Promise<Job> {
    if ((this.gets.shift() ?? "ok") === "fail") return Promise.reject(new NetworkError({ message: "connection refused" }));
    return Promise.resolve(this.stored);
  }
}

const succeed = (j: Job): JobStatus => succeededStatus(j, fence, { ok: true }, NOW, undefined);
const options = { log: silentLogger(), retryForMs: 5_000 };

describe("writeFenced", () => {
  it("recomputes and writes again when someone else's change caused the 409", async () => {
    const client = new ScriptedClient(job(running, "5", { team: "x" }));
    const result = await writeFenced(client, job(running, "4"), fence, succeed, options);
    expect(result.outcome).toBe("written");
    expect(client.stored.status?.phase).toBe("Succeeded");
    expect(client.stored.metadata.labels).toEqual({ team: "x" });
  });

  it("sends the status without the payload or managedFields (PUT /status keeps the stored ones)", async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) deep = { x: deep };
    const withPayload = (j: Job): Job => ({
      ...j,
      metadata: { ...j.metadata, managedFields: [{ manager: "kubectl", fieldsV1: { "f:spec": { "f:payload": deep } } }] },
      spec: { ...j.spec, payload: { deep } },
    });
    const client = new ScriptedClient(withPayload(job(running, "4")));
    expect((await writeFenced(client, withPayload(job(running, "4")), fence, succeed, options)).outcome).toBe("written");
    expect(client.sent?.spec.payload).toBeUndefined();
    expect(client.sent?.metadata["managedFields"]).toBeUndefined();
    expect(client.sent?.spec.type).toBe("echo");
    expect(() => JSON.stringify(client.sent)).not.toThrow();
  });

  it("sends again after a 429's Retry-After", async () => {
    const client = new ScriptedClient(job(running, "4"), ["throttle", "throttle"]);
    const result = await writeFenced(client, job(running, "4"), fence, succeed, options);
    expect(result.outcome).toBe("written");
    expect(client.stored.status?.phase).toBe("Succeeded");
  });

  it("never takes a status it sent and was refused with 429 for its own write", async () => {
    // Someone else wrote exactly the status this agent was throttled on; that is not this agent's write.
    const client = new ScriptedClient(job(running, "4"), ["throttle", "throttle", "throttle", "throttle"]);
    const theirs = succeed(job(running, "4"));
    client.stored = job(theirs, "4");
    const result = await writeFenced(client, job(running, "4"), fence, succeed, { ...options, retryForMs: 0 });
    expect(result.outcome).toBe("failed");
  });

  it("drops the write when the attempt moved on", async () => {
    const requeued: JobStatus = { ...running, phase: "Pending", attempts: [{ ...running.attempts![0]!, outcome: "Requeued" }] };
    const client = new ScriptedClient(job(requeued, "5"));
    expect((await writeFenced(client, job(running, "4"), fence, succeed, options)).outcome).toBe("fenced");
    expect(client.stored.status?.phase).toBe("Pending");
  });

  it("counts a write whose answer was lost as written when the re-read shows it", async () => {
    const client = new ScriptedClient(job(running, "4"), ["lose-answer"]);
    const result = await writeFenced(client, job(running, "4"), fence, succeed, options);
    expect(result.outcome).toBe("written");
    expect(client.stored.status?.phase).toBe("Succeeded");
  });

  it("looks once more before giving up at the deadline: a landed write is written, not failed", async () => {
    const client = new ScriptedClient(job(running, "4"), ["lose-answer"]);
    const result = await writeFenced(client, job(running, "4"), fence, succeed, { ...options, retryForMs: 0 });
    expect(result.outcome).toBe("written");
    const refused = new ScriptedClient(job(running, "4"), ["fail"]);
    expect((await writeFenced(refused, job(running, "4"), fence, succeed, { ...options, retryForMs: 0 })).outcome).toBe("failed");
  });

  it("still counts it written when only a later 409 brings the re-read that shows it", async () => {
    // The answer is lost, the re-read fails too (apiserver restarting), the resend is refused as
    // stale: the write had landed, and the attempt now shows our outcome.
    const client = new ScriptedClient(job(running, "4"), ["lose-answer"], ["fail"]);
    const result = await writeFenced(client, job(running, "4"), fence, succeed, options);
    expect(result.outcome).toBe("written");
    expect(result.outcome === "written" && result.job.status?.phase).toBe("Succeeded");
  });
});
