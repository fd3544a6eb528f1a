// The OFREP HTTP server: routes a request to a namespace, lets the apiserver decide whether the caller
// may read that namespace's flags, and answers from the in-memory FlagStore.
//
// Which namespace a request reads, first match wins:
//   1. the path: base URL `https://host:8016/namespaces/<ns>`, so `/namespaces/<ns>/ofrep/v1/...`;
//   2. the `X-Helios-Namespace` header on `/ofrep/v1/...` (for clients that drop a base URL's path);
//   3. the one namespace the server serves, when it serves exactly one.
// Access: the caller's bearer token is reviewed (TokenReview), then a SubjectAccessReview asks
// whether that user may `get` featureflags.helios.dev in the namespace: 401 / 403 otherwise. The
// server's own identity is used only to make the reviews and to watch the flags.
// Also: GET /healthz (alive) and /readyz (every namespace's flags listed), without a token.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { FlagValueType } from "@openfeature/core";
import type { Logger } from "pino";
import { GROUP, PLURALS } from "../api/index.js";
import type { FlagStore } from "../flags/index.js";
import { listen, type AccessReviewer, type BindAddress, type ServingCertificate } from "../runtime/serving/index.js";
import {
  bulkResponse,
  parseEvaluationRequest,
  requestFailure,
  resolveUntyped,
  singleResponse,
  toEvaluation,
  valueType,
  type OfrepResponse,
} from "./protocol.js";
import type { ServedNamespaces } from "./watch.js";

export const NAMESPACE_HEADER = "x-helios-namespace";
/** Request bodies beyond this are refused (an evaluation context is small). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An OFREP endpoint a path names; `namespace` when the path carries one. */
export type OfrepRoute = { readonly kind: "single"; readonly key: string; readonly namespace?: string } | { readonly kind: "bulk"; readonly namespace?: string };

const ROUTE = /^(?:\/namespaces\/([^/]+))?\/ofrep\/v1\/evaluate\/flags(?:\/(.*))?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The endpoint of `path` (without query), or undefined when it names none. */
export function routeOf(path: string): OfrepRoute | undefined {
  const m = ROUTE.exec(path);
  if (m === null) return undefined;
  let namespace: string | undefined;
  let key: string | undefined;
  try {
    namespace = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    key = m[2] === undefined || m[2] === "" ? undefined : decodeURIComponent(m[2]);
  } catch {
    return undefined;
  }
  if (namespace !== undefined && !NAMESPACE.test(namespace)) return undefined;
  const scope = namespace === undefined ? {} : { namespace };
  return key === undefined ? { kind: "bulk", ...scope } : { kind: "single", key, ...scope };
}

/** The namespace a request reads (see the rules at the top), or why none. */
export function namespaceOf(route: OfrepRoute, header: string | undefined, served: ServedNamespaces): { readonly namespace: string } | { readonly error: string } {
  const named = route.namespace ?? (header?.trim() || undefined);
  if (named !== undefined) return NAMESPACE.test(named) ? { namespace: named } : { error: `invalid namespace "${named}" in the ${NAMESPACE_HEADER} header` };
  if (served !== "all" && served.length === 1 && served[0] !== undefined) return { namespace: served[0] };
  return { error: `name the namespace: use the base URL <server>/namespaces/<namespace>, or send the ${NAMESPACE_HEADER} header` };
}

export interface OfrepHandlerOptions {
  readonly store: Pick<FlagStore, "resolve" | "keys" | "owner">;
  readonly namespaces: ServedNamespaces;
  readonly reviewer: AccessReviewer;
  /** True once the flags of every namespace served are listed. */
  readonly ready: () => boolean;
  readonly log: Pick<Logger, "debug" | "error">;
}

/** The request listener of the OFREP server. */
export function ofrepHandler(options: OfrepHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    answer(req, options)
      .then((response) => send(res, response))
      .catch((err: unknown) => {
        options.log.error({ err }, "ofrep: request failed");
        send(res, { status: 500, body: { errorDetails: "internal error" } });
      });
  };
}

/** Serves OFREP at `at`, over HTTPS when `tls` is given. */
export async function serveOfrep(options: OfrepHandlerOptions, at: BindAddress, tls?: ServingCertificate): Promise<{ server: Server; address: AddressInfo }> {
  const handle = ofrepHandler(options);
  const server = tls === undefined ? createServer(handle) : createTlsServer({ key: tls.key, cert: tls.cert }, handle);
  return { server, address: await listen(server, at) };
}

async function answer(req: IncomingMessage, options: OfrepHandlerOptions): Promise<OfrepResponse> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (path === "/healthz") return { status: 200, body: { status: "ok" } };
  if (path === "/readyz") return options.ready() ? { status: 200, body: { status: "ok" } } : { status: 503, body: { errorDetails: "flags not listed yet" } };
  const route = routeOf(path);
  if (route === undefined) return { status: 404, body: { errorDetails: `no OFREP endpoint at ${path}` } };
  if (req.method !== "POST") return { status: 405, body: { errorDetails: "OFREP evaluations are POST requests" }, headers: { allow: "POST" } };
  const key = route.kind === "single" ? route.key : undefined;

  const scope = namespaceOf(route, headerValue(req.headers[NAMESPACE_HEADER]), options.namespaces);
  if ("error" in scope) return requestFailure("INVALID_CONTEXT", scope.error, key);
  const { namespace } = scope;
  const access = await options.reviewer({
    authorization: req.headers.authorization,
    attributes: { resourceAttributes: { group: GROUP, resource: PLURALS.featureFlag, namespace, verb: "get" } },
  });
  if (!access.allowed) return { status: access.status, body: { errorDetails: access.message } };
  if (options.namespaces !== "all" && !options.namespaces.includes(namespace)) {
    const details = `namespace ${namespace} is not served by this server`;
    return key === undefined ? requestFailure("GENERAL", details) : { status: 404, body: { key, errorCode: "FLAG_NOT_FOUND", errorDetails: details } };
  }
  if (!options.ready()) return { status: 503, body: { errorDetails: "flags not listed yet" }, headers: { "retry-after": "1" } };

  const body = await readBody(req);
  if (body === undefined) return requestFailure("INVALID_CONTEXT", `the request body is larger than ${MAX_BODY_BYTES} bytes`, key);
  const parsed = parseEvaluationRequest(body);
  if ("error" in parsed) return requestFailure("INVALID_CONTEXT", parsed.error, key);

  const evaluate = (flag: string) => {
    const hint: FlagValueType | undefined = valueType(options.store.owner(namespace, flag)?.serving?.defaultValue);
    return toEvaluation(flag, resolveUntyped((type, fallback) => options.store.resolve(namespace, type, flag, fallback, parsed.context), hint));
  };
  options.log.debug({ namespace, key, user: access.user }, "ofrep: evaluation");
  if (key !== undefined) return singleResponse(evaluate(key));
  return bulkResponse(options.store.keys(namespace).map(evaluate), headerValue(req.headers["if-none-match"]));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The body as text, or undefined beyond MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, response: OfrepResponse): void {
  const text = response.body === undefined ? "" : JSON.stringify(response.body);
  const headers: Record<string, string | number> = { ...response.headers };
  if (response.body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(text);
  }
  res.writeHead(response.status, headers);
  res.end(text);
}
