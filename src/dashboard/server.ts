// The dashboard's HTTP server: the built browser app, a JSON API read from the shared caches, one
// server-sent-event stream per tab (batched: at most one push per PUSH_INTERVAL_MS), and actions.
//
// Who the user is: `local` mode acts with the caller's kubeconfig for everyone who reaches it, so it
// binds to loopback and answers only requests whose Host is that address or localhost (no DNS
// rebinding). In a cluster (`token`, `proxy`) every API request is a user's: a session cookie from the
// sign-in page (token mode) or an authenticating proxy's `Authorization: Bearer` header (proxy mode),
// the token reviewed by the apiserver (TokenReview) and then used for every read, watch and action
// (see user-views.ts); the dashboard's own identity makes only the TokenReviews.
//
// Security, every mode: a strict Content-Security-Policy (scripts and styles from this origin only, no
// inline script) and no-sniff/no-frame headers on every response. A mutation needs the CSRF token (per
// server locally, per session in a cluster) in a header (fetched by same-origin script, never in a URL)
// and an Origin whose host is the Host the browser used (and Sec-Fetch-Site same-origin when sent).
// Tokens never appear in URLs or logs: sign-in posts JSON; the token stays in the server's memory.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { z } from "zod";
import { formatIssues } from "../api/index.js";
import type { ApiTarget } from "../cli/kube/index.js";
import type { Logger } from "../runtime/log/index.js";
import { bearerToken, tokenHash, type Authenticator, type ReviewedUser } from "../runtime/serving/index.js";
import { isUnauthorized, parseAction, runAction } from "./actions.js";
import { hostAllowed, parseCookies, reachedOverHttps, sameOrigin, SESSION_COOKIE, sessionCookie } from "./http-guards.js";
import type { DashboardAuthMode, Session, WatchedResource } from "./model.js";
import { DashboardReads, ReadError } from "./reads.js";
import { SessionTable, type SessionLimits } from "./sessions.js";
import type { UserView, UserViews } from "./user-views.js";
import type { DashboardWatches } from "./watches.js";

/** Pushes to a tab at most this often; changes in between are batched into one event. */
export const PUSH_INTERVAL_MS = 250;
const KEEPALIVE_MS = 25_000;
const MAX_BODY_BYTES = 256 * 1024;
/** How often expired sessions are swept (their watches stopped, their streams closed). */
const SESSION_SWEEP_MS = 15_000;

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

interface CommonServerOptions {
  /** The built browser app (index.html and assets/). */
  readonly assetsDir: string;
  readonly log: Logger;
}

/** `local` mode: one identity, the caller's kubeconfig, for everyone who reaches the (loopback) server. */
export interface LocalServerOptions extends CommonServerOptions {
  readonly auth?: "local";
  readonly watches: DashboardWatches;
  /** The caller's connection: every read outside the caches and every action goes through it. */
  readonly target: ApiTarget;
  /** The caller as the apiserver authenticates them (see whoAmI). */
  readonly user: string;
}

/** `token` or `proxy` mode: every request acts as the user whose bearer token it carries (or its session holds). */
export interface ClusterServerOptions extends CommonServerOptions {
  readonly auth: "token" | "proxy";
  /** The users' watches, made with their tokens. */
  readonly views: UserViews;
  /** TokenReview with the dashboard's own identity. */
  readonly authenticate: Authenticator;
  /** The namespace a user sees unless they pick one at sign-in; undefined: all namespaces. */
  readonly namespace: string | undefined;
  readonly operatorNamespace: string;
  /** The Host values served (`host:port`, lower case); empty: any Host. */
  readonly allowedHosts: readonly string[];
  readonly sessions: SessionLimits;
}

export type DashboardServerOptions = LocalServerOptions | ClusterServerOptions;

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

/** What a request acts through: the user's view and the CSRF token that guards their mutations. */
interface Viewer {
  readonly auth: DashboardAuthMode;
  readonly view: Pick<UserView, "user" | "target" | "watches" | "reads">;
  readonly csrfToken: string;
  /** Ends the session (a token the apiserver no longer accepts, sign-out); absent in local mode. */
  readonly end?: () => void;
  /** The key of the session's event streams. */
  readonly streamKey: string;
}

/** A session in a cluster mode: the user's view held once, the token (memory only) and the session's CSRF token. */
interface UserSession {
  readonly view: UserView;
  readonly token: string;
  readonly csrfToken: string;
}

const signInSchema = z.object({
  token: z.string().min(1).max(16_384),
  namespace: z
    .string()
    .max(63)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/, "a namespace name (lower-case letters, digits and '-')")
    .optional(),
});

/** Starts serving on `host:port` (port 0: any free one). */
export async function startDashboardServer(options: DashboardServerOptions, host: string, port: number): Promise<RunningDashboard> {
  const auth: DashboardAuthMode = options.auth ?? "local";
  const sessions = options.auth === "token" || options.auth === "proxy" ? new SessionTable<UserSession>(options.sessions) : undefined;
  /** Proxy mode: the session of a reviewed user and token (by a hash of both); and the ones being started. */
  const proxySessions = new Map<string, string>();
  const startingProxySessions = new Map<string, Promise<string>>();
  const streams = new Map<string, Set<ServerResponse>>();
  const keepalive = setInterval(() => {
    for (const set of streams.values()) for (const stream of set) stream.write(": keepalive\n\n");
  }, KEEPALIVE_MS);
  const sweeper = sessions === undefined ? undefined : setInterval(() => sweepSessions(), SESSION_SWEEP_MS);

  let localViewer: Viewer | undefined;
  if (options.auth === undefined || options.auth === "local") {
    const reads = new DashboardReads(options.watches, options.target);
    localViewer = { auth: "local", view: { user: options.user, target: options.target, watches: options.watches, reads }, csrfToken: randomBytes(32).toString("base64url"), streamKey: "local" };
  }

  let allowedHosts: ReadonlySet<string> | "any" = new Set<string>();
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError || err instanceof ReadError ? err.status : isUnauthorized(err) ? 401 : 500;
      if (status === 500) options.log.error({ err, path: req.url?.split("?")[0] }, "dashboard request failed");
      if (!res.headersSent) sendJson(res, status, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const path = url.pathname;
    // Probes reach a pod by its IP, whatever Host the users use.
    if (path === "/healthz" && sessions !== undefined) return sendJson(res, 200, { status: "ok" });
    if (!hostAllowed(req.headers.host, allowedHosts)) throw new HttpError(421, "unexpected Host header: open the dashboard at the URL it printed");
    if (req.method === "POST" && path === "/api/sign-in") return signIn(req, res);
    if (!path.startsWith("/api/")) {
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "method not allowed");
      return serveAsset(res, path);
    }
    const viewer = await viewerOf(req);
    try {
      if (req.method === "POST" && path === "/api/sign-out") return signOut(req, res, viewer);
      if (req.method === "POST" && path === "/api/actions") return await handleAction(req, res, viewer);
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "method not allowed");
      if (path === "/api/events") return openStream(req, res, viewer);
      return sendJson(res, 200, await read(viewer, path, url.searchParams));
    } catch (err) {
      // The apiserver no longer accepts the user's token (it expired): the session ends, the page signs in again.
      if (viewer.end !== undefined && (isUnauthorized(err) || (err instanceof ReadError && err.status === 401))) {
        viewer.end();
        throw new HttpError(401, "the apiserver no longer accepts your token: sign in again");
      }
      throw err;
    }
  }

  /** The viewer of a request. @throws HttpError 401 when it carries no session or token the apiserver accepts. */
  async function viewerOf(req: IncomingMessage): Promise<Viewer> {
    if (localViewer !== undefined) return localViewer;
    if (sessions === undefined || (options.auth !== "token" && options.auth !== "proxy")) throw new Error("unreachable: no viewer");
    const clusterOptions = options;
    const now = Date.now();
    let id: string | undefined;
    if (clusterOptions.auth === "proxy") {
      const token = bearerToken(req.headers.authorization);
      if (token === undefined) throw new HttpError(401, "no bearer token: the dashboard expects an authenticating proxy to send Authorization: Bearer <token>");
      const user = await review(token);
      if (user === null) throw new HttpError(401, "the apiserver does not accept the bearer token");
      id = await proxySession(user, token, now);
    } else {
      id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (id === undefined) throw new HttpError(401, "sign in with a bearer token");
    }
    const session = sessions.use(id, now);
    if (session === undefined) throw new HttpError(401, "your session ended: sign in again");
    const sessionId = id;
    const end = (): void => endSession(sessionId);
    if (clusterOptions.auth === "token" && (await review(session.token)) === null) {
      end();
      throw new HttpError(401, "the apiserver no longer accepts your token: sign in again");
    }
    return { auth: clusterOptions.auth, view: session.view, csrfToken: session.csrfToken, end, streamKey: sessionId };
  }

  /** TokenReview (cached); a review that cannot be made is a 500 with no token in it. */
  async function review(token: string): Promise<ReviewedUser | null> {
    if (options.auth !== "token" && options.auth !== "proxy") throw new Error("unreachable: review in local mode");
    try {
      return await options.authenticate(token);
    } catch (err) {
      options.log.error({ err }, "dashboard: TokenReview failed");
      throw new HttpError(500, "the apiserver could not review the token (TokenReview failed): see the dashboard's log");
    }
  }

  /** Proxy mode: the session of a reviewed token and the default scope, started on its first request. */
  async function proxySession(user: ReviewedUser, token: string, now: number): Promise<string> {
    if (options.auth !== "proxy" || sessions === undefined) throw new Error("unreachable: proxy session outside proxy mode");
    const key = tokenHash(`${user.username}\n${tokenHash(token)}`);
    const known = proxySessions.get(key);
    if (known !== undefined && sessions.use(known, now) !== undefined) return known;
    const starting = startingProxySessions.get(key);
    if (starting !== undefined) return starting;
    const { views, namespace } = options;
    const started = (async () => {
      const view = await views.acquire(user, token, namespace);
      const id = sessions.create({ view, token, csrfToken: randomBytes(32).toString("base64url") }, Date.now());
      proxySessions.set(key, id);
      return id;
    })().finally(() => startingProxySessions.delete(key));
    startingProxySessions.set(key, started);
    return started;
  }

  function endSession(id: string): void {
    const session = sessions?.end(id);
    if (session !== undefined) releaseSession(id, session);
  }

  function releaseSession(id: string, session: UserSession): void {
    if (options.auth === "token" || options.auth === "proxy") options.views.release(session.view);
    for (const [key, value] of proxySessions) if (value === id) proxySessions.delete(key);
    for (const stream of streams.get(id) ?? []) stream.end();
    streams.delete(id);
  }

  function sweepSessions(): void {
    for (const { id, value } of sessions?.sweep(Date.now()) ?? []) releaseSession(id, value);
  }

  async function signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.auth !== "token" || sessions === undefined) throw new HttpError(404, auth === "proxy" ? "this dashboard signs in through its authenticating proxy" : "this dashboard uses your kubeconfig: there is no sign-in");
    checkMutation(req);
    const parsed = signInSchema.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, formatIssues(parsed.error.issues));
    const { token } = parsed.data;
    const namespace = parsed.data.namespace === undefined || parsed.data.namespace === "" ? options.namespace : parsed.data.namespace;
    const user = await review(token);
    if (user === null) {
      options.log.info("dashboard: sign-in refused (the apiserver does not accept the token)");
      throw new HttpError(401, "the apiserver does not accept this token");
    }
    const view = await options.views.acquire(user, token, namespace);
    // Signing in again replaces the browser's session: the old one releases its watches now, not at its idle expiry.
    const previous = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (previous !== undefined) endSession(previous);
    const now = Date.now();
    const id = sessions.create({ view, token, csrfToken: randomBytes(32).toString("base64url") }, now);
    options.log.info({ user: user.username, namespace: namespace ?? "all namespaces" }, "dashboard: signed in");
    res.setHeader("set-cookie", sessionCookie(id, { secure: secureCookie(req), maxAgeSeconds: options.sessions.maxMs / 1000 }));
    sendJson(res, 200, { user: user.username });
  }

  function signOut(req: IncomingMessage, res: ServerResponse, viewer: Viewer): void {
    if (viewer.end === undefined || auth !== "token") throw new HttpError(404, "there is no sign-out in this mode");
    checkMutation(req, viewer);
    viewer.end();
    options.log.info({ user: viewer.view.user }, "dashboard: signed out");
    res.setHeader("set-cookie", sessionCookie("", { secure: secureCookie(req), maxAgeSeconds: 0 }));
    sendJson(res, 200, { ok: true });
  }

  function openStream(req: IncomingMessage, res: ServerResponse, viewer: Viewer): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    let set = streams.get(viewer.streamKey);
    if (set === undefined) streams.set(viewer.streamKey, (set = new Set()));
    set.add(res);
    // Changes are batched per stream: at most one push per PUSH_INTERVAL_MS.
    const pending = new Set<WatchedResource>();
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      flushTimer = undefined;
      if (pending.size === 0) return;
      res.write(`event: change\ndata: ${JSON.stringify({ resources: [...pending] })}\n\n`);
      pending.clear();
    };
    const unsubscribe = viewer.view.watches.onChange((resource) => {
      pending.add(resource);
      flushTimer ??= setTimeout(flush, PUSH_INTERVAL_MS);
    });
    const closed = (): void => {
      unsubscribe();
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      streams.get(viewer.streamKey)?.delete(res);
    };
    req.on("close", closed);
    res.on("close", closed);
  }

  async function read(viewer: Viewer, path: string, params: URLSearchParams): Promise<unknown> {
    const { view } = viewer;
    if (path === "/api/session") {
      return {
        auth: viewer.auth,
        csrfToken: viewer.csrfToken,
        scope: view.reads.scope,
        context: view.target.contextName,
        user: view.user,
        operatorNamespace: view.watches.scope.operatorNamespace,
      } satisfies Session;
    }
    return view.reads.read(path, params, Date.now());
  }

  /** Same origin, else 403; with a viewer also its CSRF token in the header. */
  function checkMutation(req: IncomingMessage, viewer?: Viewer): void {
    const site = req.headers["sec-fetch-site"];
    const secFetchSite = typeof site === "string" ? site : undefined;
    if (!sameOrigin({ origin: req.headers.origin, host: req.headers.host, secFetchSite }, allowedHosts)) {
      throw new HttpError(403, "cross-origin request refused");
    }
    if (viewer !== undefined) {
      const token = req.headers["x-csrf-token"];
      if (typeof token !== "string" || !sameSecret(token, viewer.csrfToken)) throw new HttpError(403, "missing or wrong CSRF token: reload the page");
    }
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new HttpError(415, "expected application/json");
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const body = await readBody(req);
    try {
      return JSON.parse(body);
    } catch {
      throw new HttpError(400, "the body is not JSON");
    }
  }

  async function handleAction(req: IncomingMessage, res: ServerResponse, viewer: Viewer): Promise<void> {
    checkMutation(req, viewer);
    const parsed = parseAction(await readJson(req));
    if ("error" in parsed) throw new HttpError(400, parsed.error);
    const { target, watches, user } = viewer.view;
    const result = await runAction(parsed.action, target, watches.scope.operatorNamespace);
    options.log.info({ action: parsed.action.action, ok: result.ok, ...(auth === "local" ? {} : { user }) }, "dashboard action");
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
  if (options.auth === "token" || options.auth === "proxy") {
    allowedHosts = options.allowedHosts.length === 0 ? "any" : new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  } else {
    allowedHosts = new Set([`${shown}:${address.port}`, `localhost:${address.port}`, `127.0.0.1:${address.port}`, `[::1]:${address.port}`]);
  }
  const unspecified = address.address === "0.0.0.0" || address.address === "::";
  return {
    server,
    url: `http://${unspecified ? "localhost" : shown}:${address.port}/`,
    close: async () => {
      clearInterval(keepalive);
      if (sweeper !== undefined) clearInterval(sweeper);
      for (const set of streams.values()) for (const stream of set) stream.end();
      for (const session of sessions?.clear() ?? []) if (options.auth === "token" || options.auth === "proxy") options.views.release(session.view);
      if (options.auth === "token" || options.auth === "proxy") options.views.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Secure unless the browser reached the dashboard over plain HTTP (a port-forward to localhost). */
function secureCookie(req: IncomingMessage): boolean {
  const proto = req.headers["x-forwarded-proto"];
  return reachedOverHttps("encrypted" in req.socket && req.socket.encrypted === true, Array.isArray(proto) ? proto[0] : proto);
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
