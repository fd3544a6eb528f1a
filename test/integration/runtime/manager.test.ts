// Managers with real Lease leader election: readiness gates the leader's controllers, standbys keep
// caches running, a stopping leader finishes its work before handing over, and a lost lease stops it.
import { afterEach, describe, expect, it } from "vitest";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { startControlPlane } from "../../../hack/control-plane/index.js";
import { LeaderElectionLostError, Manager } from "../../../src/runtime/manager/index.js";
import type { Runnable } from "../../../src/runtime/manager/index.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";

interface Event {
  readonly who: string;
  readonly what: string;
  readonly t: number;
}

// Short timings keep the test quick; the relations client-go requires still hold.
const TIMING = { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 };

function runnable(who: string, name: string, needsLeaderElection: boolean, events: Event[], drainMs = 0): Runnable {
  return {
    name,
    needsLeaderElection,
    start: (signal) =>
      new Promise<void>((done) => {
        events.push({ who, what: `start ${name}`, t: Date.now() });
        signal.addEventListener("abort", () => {
          // Simulates in-flight reconciles that take a moment to finish.
          setTimeout(() => {
            events.push({ who, what: `stop ${name}`, t: Date.now() });
            done();
          }, drainMs);
        });
      }),
  };
}

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function newManager(who: string, kc: KubeConfig, ns: string, events: Event[], synced: () => boolean): Manager {
  const m = new Manager({
    metricsBindAddress: "127.0.0.1:0",
    healthProbeBindAddress: "127.0.0.1:0",
    leaderElection: { kubeConfig: kc, namespace: ns, name: "mgr", identity: who, ...TIMING },
  });
  m.add(runnable(who, "informer", false, events));
  m.addReadyzCheck("informer", { hasSynced: synced });
  m.add(runnable(who, "controller", true, events, 300));
  return m;
}

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

describe("Manager with leader election", () => {
  it("runs controllers only on the synced leader and hands over only after they stopped", async () => {
    const kc = kubeConfig();
    const ns = await createNamespace("manager");
    const events: Event[] = [];
    let aSynced = false;
    const a = newManager("a", kc, ns, events, () => aSynced);
    const b = newManager("b", kc, ns, events, () => true);
    const stopA = new AbortController();
    const stopB = new AbortController();
    stops.push(stopA, stopB);
    const runA = a.start(stopA.signal);
    const health = (await a.serving()).health?.port;
    await waitUntil("a to lead", () => a.isLeader(), 20_000);
    const runB = b.start(stopB.signal);

    // a leads but its cache has not synced: not ready, controller not started.
    const notReady = await fetch(`http://127.0.0.1:${health}/readyz`);
    expect(notReady.status).toBe(500);
    expect(events.map((e) => `${e.who} ${e.what}`)).not.toContain("a start controller");
    aSynced = true;
    await waitUntil("a's controller", () => events.some((e) => e.who === "a" && e.what === "start controller"), 5000);
    expect((await fetch(`http://127.0.0.1:${health}/readyz`)).status).toBe(200);

    // b is a warm standby: its informer runs, its controller does not.
    await waitUntil("b's informer", () => events.some((e) => e.who === "b" && e.what === "start informer"), 5000);
    const standbyFrom = Date.now();
    await waitUntil("a few retry periods", () => Date.now() - standbyFrom > 3 * TIMING.retryPeriodMs, 5000);
    expect(b.isLeader()).toBe(false);
    expect(events.some((e) => e.who === "b" && e.what === "start controller")).toBe(false);

    // Graceful stop of a: its controller drains, then the lease is released, then b takes over
    // well before the lease would have expired.
    const stoppedAt = Date.now();
    stopA.abort();
    await runA;
    await waitUntil("b's controller", () => events.some((e) => e.who === "b" && e.what === "start controller"), 10_000);
    const aStop = events.find((e) => e.who === "a" && e.what === "stop controller");
    const bStart = events.find((e) => e.who === "b" && e.what === "start controller");
    expect(aStop).toBeDefined();
    expect(bStart!.t).toBeGreaterThanOrEqual(aStop!.t);
    expect(bStart!.t - stoppedAt).toBeLessThan(TIMING.leaseDurationMs);
    const aOrder = events.filter((e) => e.who === "a").map((e) => e.what);
    expect(aOrder).toEqual(["start informer", "start controller", "stop controller", "stop informer"]);

    stopB.abort();
    await runB;
  });

  it("stops its controllers and fails with LeaderElectionLostError when renewals keep failing", async () => {
    const plane = await startControlPlane({ report: () => {} });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(plane.kubeconfigPath);
      await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "mgr" } } });
      const events: Event[] = [];
      const m = newManager("solo", kc, "mgr", events, () => true);
      const run = m.start(new AbortController().signal);
      await waitUntil("controller", () => events.some((e) => e.what === "start controller"), 20_000);
      const killedAt = Date.now();
      await plane.killApiServer();
      await expect(run).rejects.toBeInstanceOf(LeaderElectionLostError);
      const stopped = events.find((e) => e.what === "stop controller");
      expect(stopped).toBeDefined();
      // The controller's signal aborted within renewDeadline of the outage (plus its 300 ms drain).
      expect(stopped!.t - killedAt).toBeLessThan(TIMING.renewDeadlineMs + 300 + 500);
      expect(events.map((e) => e.what)).toContain("stop informer");
    } finally {
      await plane.stop();
    }
  });
});
