// HTTP to the apiserver: a ClusterAccess (a kubeconfig) supplies TLS and credentials, we own status mapping and retries.
//
// We speak HTTP ourselves (node:http/https with the agent the kubeconfig builds) rather than through
// client-node's generated APIs so that every resource, core or custom, gets the same paths, the same
// error classes, the raw body of a failure, the Retry-After header, and a streaming body for watches.
import http from "node:http";
import https from "node:https";
import { setTimeout as delay } from "node:timers/promises";
import type { ClusterAccess } from "./cluster-access.js";
import {
  NetworkError,
  TimeoutError,
  TooManyRequestsError,
  apiErrorFromResponse,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
  toApiError,
  type ApiError,
} from "./errors.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  readonly method: HttpMethod;
  /** Absolute API path, e.g. `/apis/helios.dev/v1alpha1/namespaces/a/jobs/x/status`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>> | undefined;
  readonly body?: unknown;
  /** Defaults to application/json when there is a body. */
  readonly contentType?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * false: a 429 is thrown at once (with its Retry-After) instead of waited out, so a reconcile
   * fails fast and its work queue requeues it after Retry-After rather than blocking a worker.
   */
  readonly retryOn429?: boolean | undefined;
}

export interface TransportOptions {
  /** Deadline for one unary request (not for watch streams). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How many times a 429 is retried after waiting Retry-After. Default 5. */
  readonly maxRetriesOn429?: number;
  /** Upper bound on one Retry-After wait, so a confused server cannot park us. Default 30 s. */
  readonly maxRetryAfterMs?: number;
  /** Called before each wait on a 429, for logs and metrics. */
  readonly onThrottled?: (error: TooManyRequestsError, waitMs: number) => void;
  /** Act as another identity (kubectl --as/--as-group); the credentials need the `impersonate` verb. */
  readonly impersonate?: { readonly user: string; readonly groups?: readonly string[] };
}

/** A response whose body is read incrementally (watch streams). Destroy it to stop. */
export type StreamingResponse = http.IncomingMessage;

/** Sends requests to the cluster of a kubeconfig's current context. */
export class Transport {
  readonly #kubeConfig: ClusterAccess;
  readonly #requestTimeoutMs: number;
  readonly #maxRetriesOn429: number;
  readonly #maxRetryAfterMs: number;
  readonly #impersonate: TransportOptions["impersonate"];
  readonly #onThrottled: TransportOptions["onThrottled"];
  readonly #pools = new WeakMap<http.Agent, http.Agent>();

  constructor(kubeConfig: ClusterAccess, options: TransportOptions = {}) {
    this.#kubeConfig = kubeConfig;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#maxRetriesOn429 = options.maxRetriesOn429 ?? 5;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
    this.#impersonate = options.impersonate;
    this.#onThrottled = options.onThrottled;
  }

  /**
   * Sends one request and returns the parsed JSON body. A 429 is retried after Retry-After
   * (the server rejected it before doing anything, so this is safe for every verb).
   * @throws ApiError for any non-2xx answer or network failure.
   */
  async request<T>(options: RequestOptions): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const signal = withTimeout(options.signal, this.#requestTimeoutMs);
        const response = await this.#send(options, signal);
        const text = await readBody(response, options.signal);
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return (text === "" ? undefined : JSON.parse(text)) as T;
        throw apiErrorFromResponse(status, text, headerValue(response.headers["retry-after"]));
      } catch (err) {
        const apiError = this.#translate(err, options.signal);
        if (apiError instanceof TooManyRequestsError && options.retryOn429 === false) throw apiError;
        if (!(apiError instanceof TooManyRequestsError) || attempt >= this.#maxRetriesOn429) throw apiError;
        const waitMs = retryAfterMs(apiError, this.#maxRetryAfterMs);
        this.#onThrottled?.(apiError, waitMs);
        await delay(waitMs, undefined, options.signal ? { signal: options.signal } : undefined);
      }
    }
  }

  /**
   * Opens a streaming GET (a watch). Resolves once a 2xx status line arrived; the caller reads
   * the body and destroys it (or aborts `signal`) to stop. No client-side deadline: a watch is
   * bounded by the server's timeoutSeconds and by the caller's stale-watch detection.
   * @throws ApiError for a non-2xx answer (body read and parsed) or a network failure.
   */
  async stream(options: Omit<RequestOptions, "method" | "body" | "contentType">): Promise<StreamingResponse> {
    try {
      const response = await this.#send({ ...options, method: "GET" }, options.signal);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return response;
      const text = await readBody(response, options.signal);
      throw apiErrorFromResponse(status, text, headerValue(response.headers["retry-after"]));
    } catch (err) {
      throw this.#translate(err, options.signal);
    }
  }

  async #send(options: RequestOptions, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/+$/, "") + options.path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const requestOptions: https.RequestOptions = {};
    // Per request, not cached: exec/OIDC credential plugins refresh tokens here.
    await this.#kubeConfig.applyToHTTPSOptions(requestOptions);
    requestOptions.agent = this.#keepAlive(requestOptions);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: http.OutgoingHttpHeaders = { ...(requestOptions.headers as http.OutgoingHttpHeaders | undefined), Accept: "application/json" };
    if (this.#impersonate) {
      headers["Impersonate-User"] = this.#impersonate.user;
      if (this.#impersonate.groups?.length) headers["Impersonate-Group"] = [...this.#impersonate.groups];
    }
    if (payload) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = payload.length;
    }
    const send = url.protocol === "http:" ? http.request : https.request;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...requestOptions, method: options.method, headers, ...(signal ? { signal } : {}) });
      req.once("response", resolve);
      req.once("error", reject);
      req.end(payload);
    });
  }

  /**
   * client-node gives every request its cached agent, which does not keep connections alive: a
   * socket closes as soon as no request waits for it, so under load nearly every request paid a TLS
   * handshake with client-certificate verification (bench/limit.ts measured about 1.5 ms of client
   * CPU per request and a fifth of the apiserver's CPU per write). We keep one keep-alive pool per
   * agent client-node hands out (it caches one per cluster and user). Idle sockets close after 60 s,
   * before kube-apiserver's 90 s idle timeout, so we never reuse a socket the server is closing.
   * Proxy agents (a subclass) are left as they are.
   */
  #keepAlive(options: https.RequestOptions): https.RequestOptions["agent"] {
    const base = options.agent;
    if (!(base instanceof http.Agent) || (base.constructor !== https.Agent && base.constructor !== http.Agent)) return base;
    let pool = this.#pools.get(base);
    if (pool === undefined) {
      const common = { keepAlive: true, timeout: 60_000 };
      pool =
        base instanceof https.Agent
          ? new https.Agent({
              ...common,
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              pfx: options.pfx,
              passphrase: options.passphrase,
              servername: options.servername,
              ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
            })
          : new http.Agent(common);
      this.#pools.set(base, pool);
    }
    return pool;
  }

  #translate(err: unknown, callerSignal: AbortSignal | undefined): unknown {
    // The caller's own abort is not an API failure: let the AbortError through untouched.
    if (callerSignal?.aborted) return callerSignal.reason ?? err;
    if (isTimeout(err)) return new TimeoutError({ message: `request timed out after ${this.#requestTimeoutMs} ms`, cause: err });
    const apiError: ApiError | undefined = toApiError(err);
    if (apiError) return apiError;
    if (err instanceof Error && (err.name === "AbortError" || "code" in err)) {
      return new NetworkError({ message: err.message, cause: err });
    }
    return err;
  }
}

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function isTimeout(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === "TimeoutError" || (err.cause instanceof Error && err.cause.name === "TimeoutError");
}

async function readBody(response: http.IncomingMessage, signal: AbortSignal | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) {
    if (signal?.aborted) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
