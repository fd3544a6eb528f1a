// An informer converges to the exact server state after watch expiry (410), an apiserver
// restart, a dropped connection and a silently dead one, on a private real control plane.
//
// The informer reaches the apiserver through a TCP proxy in this file, so the test can cut,
// refuse or freeze its connections while a second, direct client keeps writing. ConfigMap
// watches are served by etcd (their watch cache is turned off), so compacting etcd really makes
// the informer's resourceVersion too old; Secrets keep the watch cache, the production path.
import net from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startControlPlane, removeControlPlaneData, type ControlPlane } from "../../../hack/control-plane/index.js";
import { Informer } from "../../../src/runtime/cache/index.js";
import {
  CONFIG_MAPS,
  NAMESPACES,
  ResourceClient,
  Transport,
  isApiError,
  objectKey,
  type KubeObject,
  type ResourceType,
} from "../../../src/runtime/client/index.js";
import { StaleWatchError, type WatcherNotice } from "../../../src/runtime/watch/index.js";

interface Item extends KubeObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string };
  data?: Record<string, string>;
}

const SECRETS: ResourceType = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };

/** A loopback TCP proxy whose connections the test can drop, refuse, hold or freeze. */
class TcpProxy {
  readonly #server: net.Server;
  readonly #targetPort: number;
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  readonly #held = new Set<net.Socket>();
  #refusing = false;
  #holding = false;

  constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#server = net.createServer((client) => {
      if (this.#refusing) {
        client.resetAndDestroy();
        return;
      }
      if (this.#holding) {
        // Accepted but not forwarded: what the client sends waits in the socket until release.
        client.pause();
        this.#held.add(client);
        client.on("error", () => client.destroy());
        client.on("close", () => this.#held.delete(client));
        return;
      }
      this.#forward(client);
    });
  }

  #forward(client: net.Socket): void {
    const upstream = net.connect(this.#targetPort, "127.0.0.1");
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on("error", close);
      socket.on("close", close);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.#server.listen(0, "127.0.0.1", () => resolve((this.#server.address() as net.AddressInfo).port)));
  }

  get connections(): number {
    return this.#pairs.size;
  }

  /** Resets every open connection (the client sees ECONNRESET mid-stream). */
  dropAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** New connections are reset at once (an unreachable apiserver). */
  refuse(refusing: boolean): void {
    this.#refusing = refusing;
  }

  /**
   * While holding, new connections are accepted but go nowhere (a request hangs, no failure); on
   * release they are forwarded with whatever their clients sent meanwhile.
   */
  hold(holding: boolean): void {
    this.#holding = holding;
    if (holding) return;
    for (const client of this.#held) {
      this.#held.delete(client);
      if (!client.destroyed) this.#forward(client);
    }
  }

  /** Stops forwarding on every open connection without closing it: a half-dead network path. */
  freezeAll(): void {
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  close(): Promise<void> {
    for (const client of this.#held) client.destroy();
    this.dropAll();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Polls `check` until it holds; fails with `describe()` at the deadline. */
async function eventually(check: () => Promise<boolean> | boolean, describe: () => string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function kubeConfigVia(path: string, server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig without cluster");
  kc.loadFromOptions({
    clusters: [{ ...cluster, server }],
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return kc;
}

describe("informer against a real apiserver", () => {
  let plane: ControlPlane;
  let proxy: TcpProxy;
  let namespace: string;
  let direct: Transport;
  let viaProxy: Transport;
  const stop = new AbortController();

  beforeAll(async () => {
    plane = await startControlPlane({ apiServerArgs: ["--watch-cache-sizes=configmaps#0"], report: () => {} });
    const port = Number(new URL(plane.apiServerUrl).port);
    proxy = new TcpProxy(port);
    const proxyPort = await proxy.listen();
    direct = new Transport(kubeConfigVia(plane.kubeconfigPath, plane.apiServerUrl));
    viaProxy = new Transport(kubeConfigVia(plane.kubeconfigPath, `https://127.0.0.1:${proxyPort}`), { requestTimeoutMs: 10_000 });
    namespace = "informer-test";
    await new ResourceClient(direct, NAMESPACES).create({ metadata: { name: namespace } });
  });

  afterAll(async () => {
    stop.abort();
    await proxy?.close();
    if (plane) {
      await plane.stop();
      await removeControlPlaneData(plane);
    }
  });

  describe.each([
    { label: "configmaps (watch served by etcd)", type: CONFIG_MAPS, watchCache: false },
    { label: "secrets (watch served by the watch cache)", type: SECRETS, watchCache: true },
  ])("$label", ({ type, watchCache }) => {
    let writer: ResourceClient<Item>;
    let informer: Informer<Item>;
    const notices: WatcherNotice[] = [];
    /** What onHealthChange reported, in order. */
    const health: boolean[] = [];
    // What the handlers were told, applied in order: must end equal to the server too.
    const mirror = new Map<string, string | undefined>();
    let resyncs = 0;
    let serial = 0;

    const serverState = async (): Promise<Map<string, string | undefined>> => {
      const list = await writer.listAll({ namespace });
      return new Map(list.items.map((o) => [objectKey(o), o.metadata.resourceVersion]));
    };
    const cacheState = (): Map<string, string | undefined> => new Map(informer.store.list().map((o) => [objectKey(o), o.metadata.resourceVersion]));
    const sorted = (m: Map<string, string | undefined>): string => JSON.stringify([...m].sort());

    /** Waits until cache and handler mirror both equal a fresh list from the server. */
    const expectConverged = async (): Promise<void> => {
      let server = new Map<string, string | undefined>();
      await eventually(
        async () => {
          server = await serverState();
          return sorted(cacheState()) === sorted(server) && sorted(mirror) === sorted(server);
        },
        () => `server ${sorted(server)}\ncache  ${sorted(cacheState())}\nmirror ${sorted(mirror)}`,
      );
    };

    /** Creates, updates and deletes a few objects directly (not through the proxy). */
    const churn = async (): Promise<void> => {
      const existing = (await writer.listAll({ namespace })).items;
      for (let i = 0; i < 3; i++) {
        await writer.create({ metadata: { name: `obj-${++serial}`, namespace }, data: { v: Buffer.from(String(serial)).toString("base64") } });
      }
      for (const obj of existing.slice(0, 2)) await writer.replace({ ...obj, data: { v: Buffer.from(`updated-${serial}`).toString("base64") } });
      for (const obj of existing.slice(2, 4)) await writer.delete({ name: obj.metadata.name, namespace });
      // A name deleted and re-created while the informer is away must not be missed either.
      const recreated = existing[4];
      if (recreated) {
        await writer.delete({ name: recreated.metadata.name, namespace });
        await writer.create({ metadata: { name: recreated.metadata.name, namespace }, data: { v: Buffer.from("again").toString("base64") } });
      }
    };

    beforeAll(async () => {
      writer = new ResourceClient<Item>(direct, type);
      for (let i = 0; i < 6; i++) await writer.create({ metadata: { name: `obj-${++serial}`, namespace }, data: {} });
      informer = new Informer<Item>(new ResourceClient<Item>(viaProxy, type), {
        namespace,
        // Secrets and configmaps share the namespace; select by type so they stay apart.
        fieldSelector: type === SECRETS ? "type=Opaque" : undefined,
        backoff: { initialMs: 100, maxMs: 1_000 },
        staleAfterMs: 4_000,
        resyncPeriodMs: 1_000,
        onNotice: (notice) => notices.push(notice),
        onHealthChange: (healthy) => health.push(healthy),
      });
      informer.addEventHandler({
        onAdd: (obj) => mirror.set(objectKey(obj), obj.metadata.resourceVersion),
        onUpdate: (oldObj, newObj) => {
          if (oldObj === newObj) resyncs++;
          mirror.set(objectKey(newObj), newObj.metadata.resourceVersion);
        },
        onDelete: (obj) => mirror.delete(objectKey(obj)),
      });
      void informer.start(stop.signal);
      expect(await informer.waitForSync(AbortSignal.timeout(30_000))).toBe(true);
    });

    afterAll(() => informer.stop());

    it("syncs, follows live writes and resyncs periodically", async () => {
      expect(informer.hasSynced()).toBe(true);
      await expectConverged();
      await churn();
      await expectConverged();
      const before = resyncs;
      await eventually(() => resyncs >= before + informer.store.size, () => `resyncs ${resyncs - before}`);
    });

    it("relists after the watch's resourceVersion was compacted away (410 Gone)", async () => {
      const expiredBefore = notices.filter((n) => n.type === "WatchExpired").length;
      const failedBefore = notices.filter((n) => n.type === "Failed").length;
      // Held, not refused: a rewatch hangs in the proxy until the stale-watch timer (4 s) ends it,
      // instead of failing every 100-300 ms; after 3 failures the watcher relists on its own (no 410
      // then), which refused connections reached in under a second, before the compaction.
      proxy.hold(true);
      proxy.dropAll();
      await eventually(() => notices.filter((n) => n.type === "Failed").length > failedBefore, () => "informer never noticed the outage");
      await churn();
      await plane.compactEtcd();
      proxy.hold(false);
      await expectConverged();
      if (!watchCache) {
        // Served by etcd: the old resourceVersion is compacted, so the only way back is a relist.
        expect(notices.filter((n) => n.type === "WatchExpired").length).toBeGreaterThan(expiredBefore);
        expect(notices.some((n) => n.type === "ListStarted" && n.reason === "expired")).toBe(true);
      }
    });

    it("converges after the apiserver is killed and restarted, with writes after the restart", async () => {
      const failedBefore = notices.filter((n) => n.type === "Failed").length;
      const healthBefore = health.length;
      await plane.killApiServer();
      await eventually(() => notices.filter((n) => n.type === "Failed").length > failedBefore, () => "no failure noticed");
      expect(health.slice(healthBefore)).toEqual([false]);
      await plane.startApiServer();
      await churn();
      await expectConverged();
      // Reported once per change, alternating: lost first, back last (data arrived again to converge).
      const reported = health.slice(healthBefore);
      expect(reported[0]).toBe(false);
      expect(reported.at(-1)).toBe(true);
      expect(reported.every((h, i) => i === 0 || h !== reported[i - 1])).toBe(true);
    });

    it("converges after its connection is dropped mid-watch", async () => {
      await eventually(() => proxy.connections > 0, () => "no watch connection open");
      proxy.dropAll();
      await churn();
      await expectConverged();
    });

    it("detects a watch that silently stopped delivering and reopens it", async () => {
      await eventually(() => proxy.connections > 0, () => "no watch connection open");
      const staleBefore = notices.filter((n) => n.type === "Failed" && n.error instanceof StaleWatchError).length;
      proxy.freezeAll();
      await churn();
      await eventually(
        () => notices.filter((n) => n.type === "Failed" && n.error instanceof StaleWatchError).length > staleBefore,
        () => "stale watch never detected",
      );
      await expectConverged();
    });
  });

  it("honours Retry-After when API Priority and Fairness rejects with 429", async () => {
    // A priority level with no seats that rejects instead of queueing, for one impersonated user
    // (system:masters is always exempt). APF runs before authorization, so no RBAC is needed.
    const levels = new ResourceClient<KubeObject & { spec: object }>(direct, { group: "flowcontrol.apiserver.k8s.io", version: "v1", plural: "prioritylevelconfigurations", kind: "PriorityLevelConfiguration", namespaced: false });
    const schemas = new ResourceClient<KubeObject & { spec: object }>(direct, { group: "flowcontrol.apiserver.k8s.io", version: "v1", plural: "flowschemas", kind: "FlowSchema", namespaced: false });
    await levels.create({
      metadata: { name: "helios-test-starved" },
      spec: { type: "Limited", limited: { nominalConcurrencyShares: 0, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: "Reject" } } },
    });
    await schemas.create({
      metadata: { name: "helios-test-throttle" },
      spec: {
        priorityLevelConfiguration: { name: "helios-test-starved" },
        matchingPrecedence: 2,
        distinguisherMethod: { type: "ByUser" },
        rules: [
          {
            subjects: [{ kind: "User", user: { name: "helios-throttled" } }],
            resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], namespaces: [namespace] }],
          },
        ],
      },
    });
    try {
      // The level has zero seats, but APF still runs a request when nothing else executes in it;
      // so throttling shows under concurrency: a burst of GETs, most of which overlap.
      const kubeconfig = kubeConfigVia(plane.kubeconfigPath, plane.apiServerUrl);
      const as = { user: "helios-throttled" };
      const burst = (client: ResourceClient<Item>): Promise<unknown[]> =>
        Promise.all(Array.from({ length: 40 }, () => client.get({ name: "obj-1", namespace }).catch((err: unknown) => err)));

      const once = new ResourceClient<Item>(new Transport(kubeconfig, { maxRetriesOn429: 0, impersonate: as }), CONFIG_MAPS);
      let rejected: unknown[] = [];
      // APF picks up new configuration asynchronously.
      await eventually(
        async () => {
          rejected = (await burst(once)).filter((r) => isApiError(r, "TooManyRequests"));
          return rejected.length > 0;
        },
        () => "no request was ever throttled",
      );
      const first = rejected[0];
      const retryAfterSeconds = isApiError(first, "TooManyRequests") ? (first.retryAfterSeconds ?? 0) : 0;
      expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);

      // With retries, every request of a burst gets past APF (to authorization, which says 403),
      // and each throttled one waited what the server asked for.
      const waits: { asked: number | undefined; waitedMs: number }[] = [];
      const patient = new ResourceClient<Item>(
        new Transport(kubeconfig, { maxRetriesOn429: 50, impersonate: as, onThrottled: (err, waitMs) => waits.push({ asked: err.retryAfterSeconds, waitedMs: waitMs }) }),
        CONFIG_MAPS,
      );
      let burstMs = 0;
      await eventually(
        async () => {
          waits.length = 0;
          const started = performance.now();
          const results = await burst(patient);
          burstMs = performance.now() - started;
          expect(results.filter((r) => !isApiError(r, "Forbidden"))).toEqual([]);
          return waits.length > 0;
        },
        () => "no request of a burst was throttled",
      );
      // The burst lasts at least as long as its longest wait: the waits really happened.
      expect(burstMs).toBeGreaterThanOrEqual(Math.max(...waits.map((w) => w.waitedMs)) - 20);
      // APF varies Retry-After with load; each wait must be what that answer asked for.
      for (const { asked, waitedMs } of waits) expect(waitedMs).toBe((asked ?? 0) * 1000);
      expect(Math.min(...waits.map((w) => w.waitedMs))).toBeGreaterThanOrEqual(1000);

      // Per request, retryOn429: false gets the 429 back at once even from a patient transport:
      // what a reconcile uses to fail fast and let its work queue wait Retry-After.
      await eventually(
        async () => {
          waits.length = 0;
          const results = await Promise.all(
            Array.from({ length: 40 }, () => patient.get({ name: "obj-1", namespace }, { retryOn429: false }).catch((err: unknown) => err)),
          );
          expect(waits).toEqual([]);
          return results.some((r) => isApiError(r, "TooManyRequests"));
        },
        () => "no request of a burst was throttled",
      );
    } finally {
      await schemas.delete({ name: "helios-test-throttle" });
      await levels.delete({ name: "helios-test-starved" });
    }
  });

  it("reports API failures as named errors through the proxy", async () => {
    const client = new ResourceClient<Item>(viaProxy, CONFIG_MAPS);
    await expect(client.get({ name: "does-not-exist", namespace })).rejects.toSatisfy((err) => isApiError(err, "NotFound"));
    // Unreachable: no new connections, and the kept-alive one from the first request is gone too.
    proxy.refuse(true);
    proxy.dropAll();
    try {
      await expect(client.get({ name: "x", namespace })).rejects.toSatisfy((err) => isApiError(err, "Network"));
    } finally {
      proxy.refuse(false);
    }
  });
});
