// `helios agent --health-probe-bind-address` against the real apiserver: /readyz fails until the agent
// holds its Lease and its Job watch has synced, then passes; /healthz passes throughout; a Lease the
// agent can no longer renew (deleted) fails /readyz one lease duration later.
// The agent reaches the apiserver through a TCP gate the test opens, so "before ready" is a state the
// test holds, not a race with the agent's start-up.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../chaos/support/processes.js";
import { createNamespace, kubeConfig } from "../support/cluster.js";
import { clients, spawnAgent, waitFor } from "./support.js";

const kc = kubeConfig();
const c = clients(kc);
let ns: string;

/** A TCP proxy to the apiserver that holds every connection until `open()`. */
class ApiGate {
  readonly #server: Server;
  readonly #held: Socket[] = [];
  readonly #sockets = new Set<Socket>();
  #open = false;

  constructor(private readonly upstream: URL) {
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
      if (this.#open) this.#pipe(socket);
      else this.#held.push(socket);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("gate has no TCP address");
    return address.port;
  }

  get held(): number {
    return this.#held.length;
  }

  open(): void {
    this.#open = true;
    for (const socket of this.#held.splice(0)) this.#pipe(socket);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pipe(socket: Socket): void {
    const up = connect(Number(this.upstream.port), this.upstream.hostname);
    this.#sockets.add(up);
    up.once("close", () => this.#sockets.delete(up));
    socket.pipe(up).pipe(socket);
    socket.once("error", () => up.destroy());
    up.once("error", () => socket.destroy());
  }
}

/** The shared cluster's admin kubeconfig, pointed at `port` on 127.0.0.1 (the apiserver's certificate covers that IP). */
function kubeconfigVia(port: number): string {
  const gated = new KubeConfig();
  gated.loadFromOptions({
    clusters: kc.clusters.map((cl) => ({ ...cl, server: `https://127.0.0.1:${port}` })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  const file = join(mkdtempSync(join(tmpdir(), "helios-probes-")), "kubeconfig");
  writeFileSync(file, gated.exportConfig());
  return file;
}

async function probe(port: number, path: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined; // not listening yet
  }
}

beforeAll(async () => {
  expect(existsSync("dist/src/cli/commands/agent.js")).toBe(true);
  ns = await createNamespace("agent-probes");
}, 120_000);

describe("helios agent health probes", () => {
  let gate: ApiGate | undefined;
  afterAll(async () => gate?.close());

  it("/readyz fails until the Lease is held and the Job watch synced, passes then, fails once the Lease cannot be renewed", async () => {
    const server = kc.getCurrentCluster()?.server;
    expect(server).toBeDefined();
    gate = new ApiGate(new URL(server ?? ""));
    const gatePort = await gate.listen();
    const healthPort = await freePort();
    const agent = spawnAgent([
      "--name", "probed",
      "--namespace", ns,
      "--kubeconfig", kubeconfigVia(gatePort),
      "--lease-duration", "2s",
      "--health-probe-bind-address", `127.0.0.1:${healthPort}`,
    ], { HELIOS_LOG_LEVEL: "debug" });
    try {
      // Serving, with the apiserver out of reach: alive, not ready, and the failing checks named.
      const notReady = await waitFor("probes served", () => probe(healthPort, "/readyz"), 30_000);
      await waitFor("the agent's first request held at the gate", () => gate !== undefined && gate.held > 0, 30_000);
      expect(notReady.status).toBe(500);
      expect(notReady.body).toContain("[-]lease failed");
      expect(notReady.body).toContain("[-]jobs-watch failed");
      expect((await probe(healthPort, "/healthz"))?.status).toBe(200);
      expect((await c.agents.list({ namespace: ns })).items).toEqual([]);

      gate.open();
      const ready = await waitFor("/readyz 200", async () => {
        const r = await probe(healthPort, "/readyz");
        return r?.status === 200 ? r : undefined;
      }, 30_000);
      expect(ready.body).toBe("[+]lease ok\n[+]jobs-watch ok\ncheck passed\n");
      // Ready only once registered: the Agent and its Lease held by this process exist.
      expect((await c.leases.get({ namespace: ns, name: "probed" })).spec?.holderIdentity).toMatch(/^probed_/);
      expect((await c.agents.get({ namespace: ns, name: "probed" })).metadata.name).toBe("probed");
      // HELIOS_LOG_LEVEL is honoured: debug lines are written.
      expect(agent.output()).toContain(`"level":"debug"`);

      // The Lease deleted under it: renewals fail, so /readyz fails within a lease duration (+ slack), /healthz stays.
      await c.leases.delete({ namespace: ns, name: "probed" });
      const lost = await waitFor("/readyz fails after the Lease is lost", async () => {
        const r = await probe(healthPort, "/readyz");
        return r?.status === 500 ? r : undefined;
      }, 15_000);
      expect(lost.body).toContain("[-]lease failed");
      expect(lost.body).toContain("[+]jobs-watch ok");
      expect((await probe(healthPort, "/healthz"))?.status).toBe(200);
    } finally {
      agent.child.kill("SIGKILL");
      await agent.exited;
    }
  });
});
