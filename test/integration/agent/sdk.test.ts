// The agent SDK against the real apiserver: registration, lease, lazy ack, facts, fencing, drain hand-back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_LABEL, type Job } from "../../../src/api/index.js";
import { createAgent, HandlerError, type HeliosAgent, type Handlers } from "../../../src/agent/index.js";
import { silentLogger } from "../../../src/runtime/log/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { assign, clients, createAssigned, jobSpec, requeue, waitFor } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;
const agents: HeliosAgent[] = [];

// A handler that runs until released or aborted, so tests control when attempts end.
const gates = new Map<string, () => void>();
const started: string[] = [];
const handlers: Handlers = {
  echo: (payload) => Promise.resolve({ message: payload["message"] }),
  gate: (payload, ctx) =>
    new Promise((resolve, reject) => {
      const id = String(payload["id"]);
      started.push(`${id}#${ctx.attempt}`);
      ctx.progress(10, "waiting at the gate");
      gates.set(id, () => resolve({ id }));
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error("aborted")), { once: true });
    }),
  chatty: async (_payload, ctx) => {
    for (let i = 1; i <= 100; i++) {
      ctx.progress(i, `step ${i}`);
      await new Promise((r) => setTimeout(r, 15));
    }
    return { steps: 100 };
  },
  boom: () => Promise.reject(new HandlerError("exploded", "Kaboom")),
  huge: () => Promise.resolve({ blob: "x".repeat(20_000) }),
};

function agent(name: string, extra: { maxConcurrency?: number; ackDelayMs?: number } = {}): HeliosAgent {
  const a = createAgent({
    name,
    namespace: ns,
    capabilities: ["cpu"],
    queues: ["default"],
    maxConcurrency: extra.maxConcurrency ?? 4,
    handlers,
    labels: { pool: "test" },
    kubeConfig: kc,
    ackDelayMs: extra.ackDelayMs ?? 300,
    progressIntervalMs: 500,
    log: silentLogger(),
  });
  agents.push(a);
  return a;
}

const get = (name: string): Promise<Job> => c.jobs.get({ namespace: ns, name });

beforeAll(async () => {
  ns = await createNamespace("agent-sdk");
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.drain(0)));
});

describe("agent SDK", () => {
  it("registers its Agent by server-side apply and holds an owner-referenced Lease", async () => {
    const a = agent("reg");
    await a.start();
    const registered = await c.agents.get({ namespace: ns, name: "reg" });
    expect(registered.spec).toMatchObject({ capabilities: ["cpu"], queues: ["default"], maxConcurrency: 4 });
    expect(registered.metadata.labels).toMatchObject({ pool: "test" });
    const managers = (registered.metadata["managedFields"] as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    expect(managers).toContain("helios-agent/Apply");

    const lease = await c.leases.get({ namespace: ns, name: "reg" });
    expect(lease.spec?.holderIdentity).toBe(a.identity);
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Agent", name: "reg", uid: registered.metadata.uid });
    expect(lease.metadata.labels).toEqual({ [AGENT_LABEL]: "reg" });

    // spec.drain belongs to users: a user's drain survives the agent re-applying its spec.
    await c.agents.mergePatch({ namespace: ns, name: "reg" }, { spec: { drain: true } });
    await a.drain(0);
    const again = agent("reg");
    await again.start();
    expect((await c.agents.get({ namespace: ns, name: "reg" })).spec.drain).toBe(true);
    await again.drain(0);
  });

  it("labels a Lease an older agent left unlabelled when it takes it over, keeping other labels", async () => {
    await c.leases.create({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "old", namespace: ns, labels: { team: "a" } },
      spec: { holderIdentity: "old_previous-run", leaseDurationSeconds: 40 },
    });
    const a = agent("old");
    await a.start();
    const lease = await c.leases.get({ namespace: ns, name: "old" });
    expect(lease.spec?.holderIdentity).toBe(a.identity);
    expect(lease.metadata.labels).toEqual({ team: "a", [AGENT_LABEL]: "old" });
    await a.drain(0);
  });

  it("acks lazily: a quick handler goes Assigned → Succeeded with no Running write", async () => {
    const a = agent("lazy");
    await a.start();
    await createAssigned(c, ns, "quick", jobSpec("echo", { message: "hi" }), "lazy");
    const done = await waitFor("quick Succeeded", async () => ((await get("quick")).status?.phase === "Succeeded" ? get("quick") : undefined));
    expect(done.status?.result).toEqual({ message: "hi" });
    expect(done.status?.startedAt).toBeUndefined();
    expect(done.status?.attempts?.[0]).toMatchObject({ attempt: 1, agent: "lazy", outcome: "Succeeded" });
    expect(done.status?.conditions?.find((x) => x.type === "Complete")?.status).toBe("True");
    expect(a.executions).toEqual([expect.objectContaining({ name: "quick", attempt: 1, outcome: "Succeeded", written: true })]);
  });

  it("marks a longer handler Running after the ack delay, and throttles its progress", async () => {
    const a = agent("slow");
    await a.start();
    await createAssigned(c, ns, "gated", jobSpec("gate", { id: "g1" }), "slow");
    const running = await waitFor("gated Running", async () => ((await get("gated")).status?.phase === "Running" ? get("gated") : undefined));
    expect(running.status?.progress).toMatchObject({ percent: 10, message: "waiting at the gate" });
    gates.get("g1")?.();
    await waitFor("gated Succeeded", async () => (await get("gated")).status?.phase === "Succeeded");

    // 100 progress reports in ~1.5 s with a 500 ms interval: a handful of writes, not 100.
    const writes: string[] = [];
    const watch = new AbortController();
    const created = await createAssigned(c, ns, "chatty", jobSpec("chatty"), "slow");
    const seen = (async () => {
      for await (const event of c.jobs.watch({ namespace: ns, fieldSelector: "metadata.name=chatty", resourceVersion: created.metadata.resourceVersion ?? "0", signal: watch.signal })) {
        if (event.type === "MODIFIED") writes.push(event.object.status?.phase ?? "");
        if (event.type === "MODIFIED" && event.object.status?.phase === "Succeeded") return;
      }
    })().catch(() => undefined);
    await waitFor("chatty Succeeded", async () => (await get("chatty")).status?.phase === "Succeeded", 15_000);
    await seen;
    watch.abort();
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.length).toBeLessThanOrEqual(8);
    expect((await get("chatty")).status?.progress?.percent).toBe(100);
  });

  it("reports failures as facts and leaves the phase to the operator; oversized results become ResultTooLarge", async () => {
    const a = agent("facts");
    await a.start();
    await createAssigned(c, ns, "boom", jobSpec("boom"), "facts");
    await createAssigned(c, ns, "huge", jobSpec("huge"), "facts");
    await createAssigned(c, ns, "nohandler", jobSpec("nope"), "facts");
    for (const [name, reason] of [["boom", "Kaboom"], ["huge", "ResultTooLarge"], ["nohandler", "NoHandler"]] as const) {
      const job = await waitFor(`${name} fact`, async () => ((await get(name)).status?.attempts?.[0]?.outcome ? get(name) : undefined));
      expect(job.status?.phase).toBe("Assigned");
      expect(job.status?.lastError?.reason).toBe(reason);
      expect(job.status?.attempts?.[0]).toMatchObject({ outcome: "Failed", reason });
      expect(job.status?.result).toBeUndefined();
    }
  });

  it("aborts and drops an attempt that was requeued elsewhere (fencing), writing nothing", async () => {
    const a = agent("zombie");
    await a.start();
    await createAssigned(c, ns, "fenced", jobSpec("gate", { id: "f1" }), "zombie");
    await waitFor("f1 started", () => started.includes("f1#1"));
    const requeued = await requeue(c, await get("fenced"));
    await waitFor("zombie dropped the attempt", () => a.executions.some((e) => e.name === "fenced" && e.outcome === "Dropped"));
    const after = await get("fenced");
    expect(after.metadata.resourceVersion).toBe(requeued.metadata.resourceVersion);
    expect(after.status?.phase).toBe("Pending");
  });

  it("drains: running attempts past the grace period are handed back (Released) and rerun elsewhere, never twice at once", async () => {
    const first = agent("drainer");
    const second = agent("taker");
    await Promise.all([first.start(), second.start()]);
    await createAssigned(c, ns, "d1", jobSpec("gate", { id: "d1" }), "drainer");
    await createAssigned(c, ns, "d2", jobSpec("gate", { id: "d2" }), "drainer");
    await createAssigned(c, ns, "d3", jobSpec("gate", { id: "d3" }), "drainer");
    await waitFor("d1..d3 started", () => ["d1#1", "d2#1", "d3#1"].every((s) => started.includes(s)));

    const drained = first.drain(700);
    gates.get("d3")?.(); // finishes within the grace period
    await drained;
    const lease = await c.leases.get({ namespace: ns, name: "drainer" });
    expect(lease.spec?.holderIdentity).toBe("");
    for (const name of ["d1", "d2"]) {
      const job = await get(name);
      expect(job.status?.attempts?.[0]).toMatchObject({ outcome: "Released", reason: "AgentDraining" });
      expect(job.status?.phase).toBe("Running");
    }
    expect((await get("d3")).status?.phase).toBe("Succeeded");

    // The operator's move (job-recovery): requeue without a retry, and assign to another agent.
    for (const name of ["d1", "d2"]) {
      const pending = await requeue(c, await get(name));
      expect(pending.status?.retries ?? 0).toBe(0);
      await assign(c, pending, "taker");
    }
    await waitFor("d1, d2 rerun", () => started.includes("d1#2") && started.includes("d2#2"));
    gates.get("d1")?.();
    gates.get("d2")?.();
    await waitFor("d1, d2 Succeeded", async () => (await get("d1")).status?.phase === "Succeeded" && (await get("d2")).status?.phase === "Succeeded");

    const runs = [...first.executions, ...second.executions].filter((e) => ["d1", "d2", "d3"].includes(e.name));
    for (const name of ["d1", "d2", "d3"]) {
      const mine = runs.filter((e) => e.name === name).sort((x, y) => x.startedAt - y.startedAt);
      expect(mine.filter((e) => e.outcome === "Succeeded")).toHaveLength(1);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.startedAt).toBeGreaterThanOrEqual(mine[i - 1]!.finishedAt);
    }
    expect(first.executions.filter((e) => e.outcome === "Released").map((e) => e.name).sort()).toEqual(["d1", "d2"]);
  });
});
