// The dashboard's HTTP server: the built browser app, a JSON API read from the shared caches, one
// server-sent-event stream per tab (batched: at most one push per PUSH_INTERVAL_MS), and actions.
//
// Security: binds where told (127.0.0.1 by default) and answers only requests whose Host is that
// address or localhost (no DNS rebinding). Every response carries a strict Content-Security-Policy
// (scripts and styles from this origin only, no inline script) and no-sniff/no-frame headers. A
// mutation needs the per-server CSRF token in a header (fetched by same-origin script, never in a
// URL) and a same-origin Origin / Sec-Fetch-Site; the apiserver then judges it as the caller.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import type { KubeTarget } from "../cli/kube/index.js";
import type { Logger } from "../runtime/log/index.js";
import { parseAction, runAction } from "./actions.js";
import type { Session, WatchedResource } from "./model.js";
import { DashboardReads, ReadError } from "./reads.js";
import type { DashboardWatches } from "./watches.js";

/** Pushes to a tab at most this often; changes in between are batched into one event. */
export const PUSH_INTERVAL_MS = 250;
const KEEPALIVE_MS = 25_000;
const MAX_BODY_BYTES = 256 * 1024;

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

export interface DashboardServerOptions {
  readonly watches: DashboardWatches;
  /** The caller's connection: every read outside the caches and every action goes through it. */
  readonly target: KubeTarget;
  /** The built browser app (index.html and assets/). */
  readonly assetsDir: string;
  /** The caller as the apiserver authenticates them (see whoAmI). */
  readonly user: string;
  readonly log: Logger;
}

/** A listening dashboard: its URL, and close(). */
export interface RunningDashboard {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly code = "Http" as const;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts serving on `host:port` (port 0: any free one). */
export async function startDashboardServer(options: DashboardServerOptions, host: string, port: number): Promise<RunningDashboard> {
  const csrfToken = randomBytes(32).toString("base64url");
  const reads = new DashboardReads(options.watches, options.target);
  const streams = new Set<ServerResponse>();
  const pending = new Set<WatchedResource>();
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    flushTimer = undefined;
    if (pending.size === 0) return;
    const data = `event: change\ndata: ${JSON.stringify({ resources: [...pending] })}\n\n`;
    pending.clear();
    for (const stream of streams) stream.write(data);
  };
  const unsubscribe = options.watches.onChange((resource) => {
    pending.add(resource);
    flushTimer ??= setTimeout(flush, PUSH_INTERVAL_MS);
  });
  const keepalive = setInterval(() => {
    for (const stream of streams) stream.write(": keepalive\n\n");
  }, KEEPALIVE_MS);

  let allowedHosts = new Set<string>();
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError || err instanceof ReadError ? err.status : 500;
      if (status === 500) options.log.error({ err, path: req.url?.split("?")[0] }, "dashboard request failed");
      if (!res.headersSent) sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? "")) throw new HttpError(421, "unexpected Host header: open the dashboard at the URL it printed");
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    if (req.method === "POST" && path === "/api/actions") return handleAction(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "method not allowed");
    if (path === "/api/events") return openStream(req, res);
    if (path.startsWith("/api/")) return sendJson(res, 200, await read(path, url.searchParams));
    return serveAsset(res, path);
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    streams.add(res);
    req.on("close", () => streams.delete(res));
  }

  async function read(path: string, params: URLSearchParams): Promise<unknown> {
    if (path === "/api/session") {
      const { watches, target } = options;
      return {
        csrfToken,
        scope: reads.scope,
        context: target.contextName,
        user: options.user,
        operatorNamespace: watches.scope.operatorNamespace,
      } satisfies Session;
    }
    return reads.read(path, params, Date.now());
  }

  async function handleAction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    const site = req.headers["sec-fetch-site"];
    if (origin === undefined || !allowedHosts.has(originHost(origin)) || (site !== undefined && site !== "same-origin")) {
      throw new HttpError(403, "cross-origin request refused");
    }
    const token = req.headers["x-csrf-token"];
    if (typeof token !== "string" || !sameSecret(token, csrfToken)) throw new HttpError(403, "missing or wrong CSRF token: reload the page");
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "expected application/json");
    const body = await readBody(req);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new HttpError(400, "the body is not JSON");
    }
    const parsed = parseAction(json);
    if ("error" in parsed) throw new HttpError(400, parsed.error);
    const result = await runAction(parsed.action, options.target, options.watches.scope.operatorNamespace);
    options.log.info({ action: parsed.action.action, ok: result.ok }, "dashboard action");
    sendJson(res, result.ok ? 200 : 403, result);
  }

  async function serveAsset(res: ServerResponse, path: string): Promise<void> {
    const relative = path === "/" || !extname(path) ? "index.html" : normalize(path).replace(/^[/\\]+/, "");
    const file = join(options.assetsDir, relative);
    if (!file.startsWith(options.assetsDir + sep) && file !== options.assetsDir) throw new HttpError(404, "not found");
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch {
      if (relative === "index.html") throw new HttpError(500, `the dashboard's browser app is not built (${options.assetsDir}): run make build`);
      throw new HttpError(404, "not found");
    }
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-store",
    });
    res.end(content);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  allowedHosts = new Set([`${shown}:${address.port}`, `localhost:${address.port}`, `127.0.0.1:${address.port}`, `[::1]:${address.port}`]);
  return {
    server,
    url: `http://${shown}:${address.port}/`,
    close: async () => {
      unsubscribe();
      clearInterval(keepalive);
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      for (const stream of streams) stream.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/** The host of an Origin header; "" for an opaque or malformed one (`null`), which no allowed host matches. */
function originHost(origin: string): string {
  return URL.canParse(origin) ? new URL(origin).host : "";
}
