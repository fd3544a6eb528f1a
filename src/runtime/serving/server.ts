// The HTTP endpoints of a long-running process (the manager's, an agent's) on node:http: /metrics on one address, /healthz and /readyz on another.
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { BindAddress } from "./bind-address.js";
import type { MetricsGuard } from "./metrics-auth.js";
import type { ServingCertificate } from "./self-signed.js";

/** A named check for /healthz or /readyz; true means passing. */
export interface Check {
  readonly name: string;
  check(): boolean;
}

/** Starts `server` listening at `at`; resolves with the address it got (port 0 picks one). */
export function listen(server: Server, at: BindAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(at.port, at.host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo); // a TCP listener's address is always AddressInfo
    });
  });
}

/** Closes `server`, also cutting idle keep-alive connections so shutdown is not held up by scrapers. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Protection of /metrics: every request passes `guard` first; served over HTTPS with `tls`. */
export interface MetricsProtection {
  readonly guard: MetricsGuard;
  readonly tls?: ServingCertificate;
}

/** Serves the registry's text exposition on GET /metrics, behind `protection` when given. */
export async function serveMetrics(registry: Registry, at: BindAddress, protection?: MetricsProtection): Promise<{ server: Server; address: AddressInfo }> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path !== "/metrics") return reply(res, 404, "text/plain", "not found\n");
    const access = protection === undefined ? Promise.resolve({ allowed: true as const }) : protection.guard({ authorization: req.headers.authorization, method: req.method ?? "GET", path });
    access
      .then(async (decision) => {
        if (!decision.allowed) return reply(res, decision.status, "text/plain; charset=utf-8", `${decision.message}\n`);
        reply(res, 200, registry.contentType, await registry.metrics());
      })
      .catch((err: unknown) => reply(res, 500, "text/plain", `collecting metrics failed: ${String(err)}\n`));
  };
  const server = protection?.tls === undefined ? createServer(handle) : createTlsServer({ key: protection.tls.key, cert: protection.tls.cert }, handle);
  return { server, address: await listen(server, at) };
}

// Mirrors the apiserver's and controller-runtime's healthz body: one [+]/[-] line per check.
function runChecks(res: ServerResponse, checks: readonly Check[]): void {
  const results = checks.map((c) => {
    let ok: boolean;
    try {
      ok = c.check();
    } catch {
      ok = false;
    }
    return { name: c.name, ok };
  });
  const healthy = results.every((r) => r.ok);
  const lines = results.map((r) => (r.ok ? `[+]${r.name} ok` : `[-]${r.name} failed`));
  lines.push(healthy ? "check passed" : "check failed");
  reply(res, healthy ? 200 : 500, "text/plain; charset=utf-8", `${lines.join("\n")}\n`);
}

/** Serves GET /healthz (liveness) and /readyz (readiness) from the given check lists. */
export async function serveProbes(
  at: BindAddress,
  healthz: () => readonly Check[],
  readyz: () => readonly Check[],
): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") return runChecks(res, healthz());
    if (path === "/readyz") return runChecks(res, readyz());
    reply(res, 404, "text/plain", "not found\n");
  });
  return { server, address: await listen(server, at) };
}
