// The manager without leader election: probes, metrics endpoint, start order, stop order, failures.
import { describe, expect, it, vi } from "vitest";
import { Registry } from "prom-client";
import {
  GracefulShutdownTimeoutError,
  Manager,
} from "../../../../src/runtime/manager/index.js";
import { parseBindAddress } from "../../../../src/runtime/serving/index.js";
import type { Runnable } from "../../../../src/runtime/manager/index.js";
import { getOrCreateCounter } from "../../../../src/runtime/metrics/index.js";

// A runnable that records when it starts and stops, and stops only when told (or never).
function recorder(name: string, needsLeaderElection: boolean, events: string[], opts: { ignoreStop?: boolean; failWith?: Error } = {}): Runnable {
  return {
    name,
    needsLeaderElection,
    start(signal) {
      events.push(`start ${name}`);
      if (opts.failWith !== undefined) return Promise.reject(opts.failWith);
      if (opts.ignoreStop === true) return new Promise<void>(() => {});
      return new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => {
          events.push(`stop ${name}`);
          resolve();
        }),
      );
    },
  };
}

const local = { metricsBindAddress: "127.0.0.1:0", healthProbeBindAddress: "127.0.0.1:0" };

describe("parseBindAddress", () => {
  it("accepts controller-runtime's forms and treats 0 as disabled", () => {
    expect(parseBindAddress(":8080")).toEqual({ port: 8080 });
    expect(parseBindAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseBindAddress("[::1]:9090")).toEqual({ host: "::1", port: 9090 });
    expect(parseBindAddress("0")).toBeUndefined();
    expect(() => parseBindAddress("8080")).toThrow(/invalid bind address/);
    expect(() => parseBindAddress(":70000")).toThrow(/invalid bind address/);
    expect(() => parseBindAddress("local host:80")).toThrow(/invalid bind address/);
  });
});

describe("Manager", () => {
  it("is ready only after sync, starts leader runnables after sync, and stops leaders before caches", async () => {
    const registry = new Registry();
    getOrCreateCounter(registry, { name: "helios_test_total", help: "test" }).inc(3);
    const manager = new Manager({ ...local, registry });
    const events: string[] = [];
    let synced = false;
    manager.add(recorder("informer", false, events));
    manager.addReadyzCheck("informer", { hasSynced: () => synced });
    manager.add(recorder("controller", true, events));
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    const { metrics, health } = await manager.serving();
    const base = `http://127.0.0.1:${health?.port}`;

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(500);
    expect(await notReady.text()).toContain("[-]informer failed");
    expect(events).toEqual(["start informer"]); // the controller waits for the cache

    synced = true;
    await vi.waitFor(() => expect(events).toContain("start controller"));
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain("[+]informer ok");
    expect((await fetch(`${base}/nope`)).status).toBe(404);

    const scrape = await fetch(`http://127.0.0.1:${metrics?.port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain("helios_test_total 3");
    expect(manager.isLeader()).toBe(true);

    stop.abort();
    await running;
    expect(events).toEqual(["start informer", "start controller", "stop controller", "stop informer"]);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow(); // servers closed
  });

  it("stops everything and rejects with the first runnable failure", async () => {
    const manager = new Manager(local);
    const events: string[] = [];
    manager.add(recorder("informer", false, events));
    manager.add(recorder("broken", true, events, { failWith: new Error("boom") }));
    await expect(manager.start(new AbortController().signal)).rejects.toThrow("boom");
    expect(events).toContain("stop informer");
  });

  it("gives up after gracefulShutdownTimeout and names what is still running", async () => {
    const manager = new Manager({ ...local, gracefulShutdownTimeoutMs: 200 });
    manager.add(recorder("stubborn", true, [], { ignoreStop: true }));
    const stop = new AbortController();
    const running = manager.start(stop.signal);
    await manager.serving();
    stop.abort();
    const err: unknown = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GracefulShutdownTimeoutError);
    expect((err as GracefulShutdownTimeoutError).pending).toEqual(["stubborn"]);
  });

  it("rejects when a port is taken, and refuses runnables after start", async () => {
    const first = new Manager(local);
    const stop = new AbortController();
    const running = first.start(stop.signal);
    const { metrics } = await first.serving();
    const second = new Manager({ metricsBindAddress: `127.0.0.1:${metrics?.port}`, healthProbeBindAddress: "0" });
    await expect(second.start(new AbortController().signal)).rejects.toThrow(/EADDRINUSE/);
    expect(() => first.add(recorder("late", true, []))).toThrow(/has started/);
    stop.abort();
    await running;
  });
});
