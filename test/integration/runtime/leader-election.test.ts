// Lease leader election on the real apiserver: one leader at a time (fencing counter), takeover
// after SIGKILL within leaseDuration + retryPeriod, immediate handover on graceful release, and
// stepping down when renewals fail past renewDeadline.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoordinationV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { startControlPlane } from "../../../hack/control-plane/index.js";
import { LeaderElector } from "../../../src/runtime/leader/index.js";
import { createNamespace, kubeConfig, kubeconfigPath } from "../support/cluster.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const LEADER_DIST = join(ROOT, "dist/src/runtime/leader/index.js");
const LEASE_MS = 15_000;
const RENEW_MS = 10_000;
const RETRY_MS = 2_000;
// Process start-up and one apiserver round trip on a loaded 2-core machine.
const LATENCY_SLACK_MS = 1_000;

// A candidate process: campaigns for the Lease and, while leading, increments a ConfigMap counter
// with read-modify-write under resourceVersion, recording who wrote. Overlapping leaders would show
// as 409 conflicts or as writers interleaving in the history.
const CANDIDATE = `
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { LeaderElector } from ${JSON.stringify(LEADER_DIST)};
const { ID, NS, KUBECONFIG_PATH } = process.env;
const kc = new KubeConfig();
kc.loadFromFile(KUBECONFIG_PATH);
const core = kc.makeApiClient(CoreV1Api);
const out = (e) => process.stdout.write(JSON.stringify({ id: ID, t: Date.now(), ...e }) + "\\n");
const pause = (ms, signal) => new Promise((r) => { const t = setTimeout(r, ms); signal.addEventListener("abort", () => { clearTimeout(t); r(); }, { once: true }); });
const elector = new LeaderElector({
  kubeConfig: kc, namespace: NS, name: "fence", identity: ID,
  leaseDurationMs: ${LEASE_MS}, renewDeadlineMs: ${RENEW_MS}, retryPeriodMs: ${RETRY_MS},
  async onStartedLeading(signal) {
    out({ event: "leading" });
    while (!signal.aborted) {
      try {
        const cm = await core.readNamespacedConfigMap({ name: "fence", namespace: NS });
        const data = cm.data ?? {};
        const n = Number(data.counter ?? "0") + 1;
        const history = data.last === ID ? (data.history ?? "") : [data.history, ID].filter(Boolean).join(",");
        if (signal.aborted) break;
        await core.replaceNamespacedConfigMap({ name: "fence", namespace: NS, body: {
          metadata: { name: "fence", namespace: NS, resourceVersion: cm.metadata.resourceVersion },
          data: { counter: String(n), last: ID, history } } });
        out({ event: "wrote", n });
      } catch (err) {
        out({ event: err?.code === 409 ? "conflict" : "error", message: String(err?.message ?? err) });
      }
      await pause(100, signal);
    }
    out({ event: "stopped-leading" });
  },
});
const stop = new AbortController();
process.on("SIGTERM", () => stop.abort());
out({ event: "started" });
const outcome = await elector.run(stop.signal);
out({ event: "exit", outcome });
process.exit(0);
`;

interface CandidateEvent {
  readonly id: string;
  readonly t: number;
  readonly event: string;
  readonly n?: number;
  readonly outcome?: string;
  readonly message?: string;
}

interface Candidate {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly events: CandidateEvent[];
  readonly exited: Promise<number | null>;
}

const all: CandidateEvent[] = [];
const children: ChildProcess[] = [];

function startCandidate(id: string, ns: string): Candidate {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", CANDIDATE], {
    cwd: ROOT,
    env: { ...process.env, ID: id, NS: ns, KUBECONFIG_PATH: kubeconfigPath() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  const events: CandidateEvent[] = [];
  let buffer = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const e = JSON.parse(line) as CandidateEvent;
      events.push(e);
      all.push(e);
    }
  });
  let stderr = "";
  proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((done) =>
    proc.on("exit", (code) => {
      if (code !== 0 && code !== null) console.error(`candidate ${id} exited ${code}: ${stderr}`);
      done(code);
    }),
  );
  return { id, proc, events, exited };
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const has = (c: Candidate, event: string) => c.events.find((e) => e.event === event);


describe("LeaderElector on a real apiserver", () => {
  let ns: string;
  let kc: KubeConfig;

  beforeAll(async () => {
    expect(existsSync(LEADER_DIST)).toBe(true);
    kc = kubeConfig();
    ns = await createNamespace("leader");
    await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "fence" }, data: { counter: "0", history: "" } },
    });
  });

  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });

  it("keeps one leader at a time through a SIGKILL takeover and a graceful handover", async () => {
    const a = startCandidate("cand-a", ns);
    await waitUntil("a to lead", () => has(a, "leading") !== undefined, 30_000);
    const b = startCandidate("cand-b", ns);
    await waitUntil("b to start", () => has(b, "started") !== undefined, 30_000);
    // b must stay standby while a renews: let a few retry periods and many writes pass.
    const bStarted = has(b, "started")!.t;
    await waitUntil("a to keep writing", () => Date.now() - bStarted > 3 * RETRY_MS, 10_000);
    expect(has(b, "leading")).toBeUndefined();
    expect(a.events.filter((e) => e.event === "wrote").length).toBeGreaterThan(10);

    const killedAt = Date.now();
    a.proc.kill("SIGKILL");
    await waitUntil("b to take over", () => has(b, "leading") !== undefined, LEASE_MS + RETRY_MS + 10_000);
    const takeover = has(b, "leading")!.t - killedAt;
    expect(takeover).toBeLessThanOrEqual(LEASE_MS + RETRY_MS + LATENCY_SLACK_MS);
    // Not before the lease could have expired: b waited for it on its own clock.
    expect(takeover).toBeGreaterThan(LEASE_MS - RETRY_MS);

    await waitUntil("b to write", () => b.events.filter((e) => e.event === "wrote").length >= 5, 10_000);
    const c = startCandidate("cand-c", ns);
    await waitUntil("c to start", () => has(c, "started") !== undefined, 30_000);
    const termAt = Date.now();
    b.proc.kill("SIGTERM");
    expect(await b.exited).toBe(0);
    expect(b.events.at(-1)).toMatchObject({ event: "exit", outcome: "stopped" });
    // b released the lease after its work stopped, so c takes over without waiting for expiry.
    await waitUntil("c to take over after release", () => has(c, "leading") !== undefined, LEASE_MS);
    expect(has(c, "leading")!.t - termAt).toBeLessThan(RETRY_MS * 1.1 + 2 * LATENCY_SLACK_MS);
    const bStopped = has(b, "stopped-leading")!.t;
    expect(bStopped).toBeLessThanOrEqual(has(c, "leading")!.t);

    await waitUntil("c to write", () => c.events.filter((e) => e.event === "wrote").length >= 5, 10_000);
    c.proc.kill("SIGTERM");
    expect(await c.exited).toBe(0);

    // The fencing counter: none conflicted, writers never interleaved, and every write is accounted
    // for. The counter rises by one per write; the one gap allowed is a's last write, which can land
    // on the server as SIGKILL stops a from reporting it.
    const writes = all.filter((e) => e.event === "wrote");
    expect(all.filter((e) => e.event === "conflict")).toEqual([]);
    const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: "fence", namespace: ns });
    expect(cm.data?.["history"]).toBe("cand-a,cand-b,cand-c");
    expect(Number(cm.data?.["counter"])).toBe(writes.at(-1)?.n);
    expect(writes[0]?.n).toBe(1);
    const steps = writes.slice(1).map((w, i) => ({ from: writes[i], to: w, by: (w.n ?? 0) - (writes[i]?.n ?? 0) }));
    const gaps = steps.filter((s) => s.by !== 1).map((g) => `${g.from?.id} -> ${g.to.id} by ${g.by}`);
    expect(gaps.filter((g) => g !== "cand-a -> cand-b by 2")).toEqual([]);
    expect(gaps.length).toBeLessThanOrEqual(1);

    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: "fence", namespace: ns });
    expect(lease.spec?.holderIdentity ?? "").toBe(""); // released by c
    expect(lease.spec?.leaseTransitions).toBe(2); // a -> b -> c
  });
});

describe("LeaderElector when the apiserver goes away", () => {
  it("aborts the leader's signal once renewals fail for renewDeadline, before the lease expires", async () => {
    const plane = await startControlPlane({ report: () => {} });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(plane.kubeconfigPath);
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "le" } } });
      let lostAt = 0;
      const elector = new LeaderElector({
        kubeConfig: kc,
        namespace: "le",
        name: "lost",
        identity: "only",
        leaseDurationMs: 6000,
        renewDeadlineMs: 4000,
        retryPeriodMs: 500,
        onStartedLeading: (signal) =>
          new Promise<void>((done) =>
            signal.addEventListener("abort", () => {
              lostAt = Date.now();
              done();
            }),
          ),
      });
      const outcome = elector.run(new AbortController().signal);
      await waitUntil("leadership", () => elector.isLeader(), 20_000);
      const killedAt = Date.now();
      await plane.killApiServer();
      expect(await outcome).toBe("lost");
      expect(elector.isLeader()).toBe(false);
      // Its last successful renewal was sent before the kill, so it stepped down within renewDeadline
      // of the kill: before the lease (6 s from that renewal) could pass to a standby.
      expect(lostAt - killedAt).toBeLessThanOrEqual(4000 + 250);
    } finally {
      await plane.stop();
    }
  });
});
