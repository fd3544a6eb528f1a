// A ClusterAccess from plain TLS material and an optional bearer token (inline, or a file re-read as it rotates).
import { readFile } from "node:fs/promises";
import type { OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { ClusterAccess } from "../client/index.js";
import { KubeconfigError } from "./errors.js";

export interface TlsAccessOptions {
  /** The apiserver's URL, e.g. `https://10.96.0.1:443`. */
  readonly server: string;
  /** PEM bundle that signs the apiserver's certificate; the system roots when unset. */
  readonly ca?: Buffer | undefined;
  /** Client certificate and key (PEM). */
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly insecureSkipTlsVerify?: boolean | undefined;
  /** The name to check the server certificate against, when it differs from the URL's host. */
  readonly tlsServerName?: string | undefined;
  readonly token?: string | undefined;
  /** Read instead of `token` when that is unset, and re-read every minute. */
  readonly tokenFile?: string | undefined;
  readonly now?: () => number;
}

/**
 * client-go's period for re-reading a token file: the kubelet rewrites a projected service-account
 * token well before it expires (at 80 % of its life, an hour at least), so a minute-old copy is valid.
 */
export const TOKEN_REFRESH_MS = 60_000;

/** Credentials a kubeconfig or the pod's service account spells out, without client-node. */
export class TlsAccess implements ClusterAccess {
  readonly #cluster: { readonly server: string };
  readonly #options: TlsAccessOptions;
  readonly #agent: https.Agent | undefined;
  readonly #now: () => number;
  #fileToken: { readonly value: string; readonly readAt: number } | undefined;

  constructor(options: TlsAccessOptions) {
    this.#options = options;
    this.#cluster = { server: options.server };
    this.#now = options.now ?? Date.now;
    // One agent per access, as client-node hands out: the Transport keys its keep-alive pool on it.
    this.#agent = options.server.startsWith("https:") ? new https.Agent({ keepAlive: true, ...this.#tls() }) : undefined;
  }

  getCurrentCluster(): { readonly server: string } {
    return this.#cluster;
  }

  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    Object.assign(options, this.#tls());
    if (this.#agent !== undefined) options.agent = this.#agent;
    const token = this.#options.token ?? (await this.#tokenFromFile());
    if (token !== undefined && token !== "") {
      options.headers = { ...(options.headers as OutgoingHttpHeaders | undefined), Authorization: `Bearer ${token}` };
    }
  }

  /**
   * The same cluster (server, CA, TLS server name) with `token` as the only credential: how a
   * server acts as a caller whose bearer token it was given (no client certificate, no token file).
   */
  withBearerToken(token: string): TlsAccess {
    const { server, ca, tlsServerName, insecureSkipTlsVerify, now } = this.#options;
    return new TlsAccess({ server, ca, tlsServerName, insecureSkipTlsVerify, token, ...(now === undefined ? {} : { now }) });
  }

  #tls(): https.AgentOptions {
    const o = this.#options;
    return {
      ...(o.ca === undefined ? {} : { ca: o.ca }),
      ...(o.cert === undefined ? {} : { cert: o.cert }),
      ...(o.key === undefined ? {} : { key: o.key }),
      ...(o.tlsServerName === undefined ? {} : { servername: o.tlsServerName }),
      ...(o.insecureSkipTlsVerify === true ? { rejectUnauthorized: false } : {}),
    };
  }

  async #tokenFromFile(): Promise<string | undefined> {
    const file = this.#options.tokenFile;
    if (file === undefined) return undefined;
    const cached = this.#fileToken;
    if (cached !== undefined && this.#now() - cached.readAt < TOKEN_REFRESH_MS) return cached.value;
    try {
      const value = (await readFile(file, "utf8")).trim();
      this.#fileToken = { value, readAt: this.#now() };
      return value;
    } catch (err) {
      // A failed re-read keeps the last token (client-go does the same); it is valid for a while yet.
      if (cached !== undefined) return cached.value;
      throw new KubeconfigError(`cannot read token file ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
