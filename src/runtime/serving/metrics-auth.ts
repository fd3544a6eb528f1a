// Delegated authentication and authorization, as controller-runtime's
// filters.WithAuthenticationAndAuthorization: a caller's bearer token is authenticated with a
// TokenReview and the user authorized with a SubjectAccessReview, both made by the apiserver; the
// server's own permissions never decide for a caller. /metrics asks for its non-resource URL and the
// request's verb; the OFREP server asks for `get` on featureflags in the namespace read.
//
// Answers: 401 without a bearer token or when the apiserver does not authenticate it; 403 when the
// user may not do what is asked; 500 when a review cannot be made. Results are cached as
// controller-runtime caches them: authentication (success and failure) 1 min by the token's SHA-256,
// authorization allowed 5 min and denied 30 s; a failed review is never cached.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Transport } from "../client/index.js";

/** What the reviewer decided: serve (`allowed`, with the user), or answer with `status` and `message`. */
export type Access =
  | { readonly allowed: true; readonly user?: string }
  | { readonly allowed: false; readonly status: 401 | 403 | 500; readonly message: string };

/** What a SubjectAccessReview asks about: a non-resource URL, or a verb on a kind of object. */
export type AccessAttributes =
  | { readonly nonResourceAttributes: { readonly path: string; readonly verb: string } }
  | {
      readonly resourceAttributes: {
        readonly group: string;
        readonly resource: string;
        readonly namespace: string;
        readonly verb: string;
        readonly name?: string;
      };
    };

/** Decides whether the bearer of `authorization` may do what `attributes` describe. */
export type AccessReviewer = (request: { readonly authorization: string | undefined; readonly attributes: AccessAttributes }) => Promise<Access>;

/** What the metrics guard decided. */
export type MetricsAccess = Access;

/** Decides whether a request may read a metrics path. */
export type MetricsGuard = (request: { readonly authorization: string | undefined; readonly method: string; readonly path: string }) => Promise<MetricsAccess>;

/** A user as TokenReview reports it and SubjectAccessReview takes it. */
export interface ReviewedUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

interface TokenReview {
  readonly status?: { readonly authenticated?: boolean; readonly user?: ReviewedUser; readonly error?: string };
}
interface SubjectAccessReview {
  readonly status?: { readonly allowed?: boolean; readonly denied?: boolean; readonly reason?: string };
}

export const AUTHN_TTL_MS = 60_000;
export const AUTHZ_ALLOW_TTL_MS = 300_000;
export const AUTHZ_DENY_TTL_MS = 30_000;
/** Entries per cache: random tokens cannot grow it without bound. */
const CACHE_MAX = 1024;

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

/** A bounded map whose entries expire, each with its own time to live; the oldest goes first when full. */
export class TtlCache<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly max = CACHE_MAX,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  get size(): number {
    return this.#entries.size;
  }
}

export interface DelegatingOptions {
  readonly log: Logger;
  readonly now?: () => number;
  /** Prefixes log lines ("metrics", "ofrep"). */
  readonly component?: string;
}

/** A guard for /metrics: `get` (the request's verb) on the non-resource path, reviewed by the apiserver. */
export function delegatingMetricsGuard(transport: Pick<Transport, "request">, options: DelegatingOptions): MetricsGuard {
  const review = delegatingAccessReviewer(transport, { component: "metrics", ...options });
  return ({ authorization, method, path }) => review({ authorization, attributes: { nonResourceAttributes: { path, verb: method.toLowerCase() } } });
}

/** Who a bearer token belongs to, as the apiserver says; null when it does not authenticate it. */
export type Authenticator = (token: string) => Promise<ReviewedUser | null>;

/**
 * Authenticates tokens with TokenReviews made through `transport` (success and failure cached
 * AUTHN_TTL_MS by the token's SHA-256; a failed review is not cached).
 * @throws ApiError when a review cannot be made.
 */
export function delegatingAuthenticator(transport: Pick<Transport, "request">, now: () => number = () => performance.now()): Authenticator {
  const users = new TtlCache<ReviewedUser | null>(now);
  return async (token) => {
    const key = tokenHash(token);
    const cached = users.get(key);
    if (cached !== undefined) return cached;
    const review = await transport.request<TokenReview>({
      method: "POST",
      path: "/apis/authentication.k8s.io/v1/tokenreviews",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } },
    });
    const user = review.status?.authenticated === true && review.status.user !== undefined ? review.status.user : null;
    users.set(key, user, AUTHN_TTL_MS);
    return user;
  };
}

/** The SHA-256 of a token (hex): what caches and logs may hold instead of the token. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A reviewer that delegates authentication and authorization to the apiserver behind `transport`. */
export function delegatingAccessReviewer(transport: Pick<Transport, "request">, options: DelegatingOptions): AccessReviewer {
  const component = options.component ?? "auth";
  const now = options.now ?? (() => performance.now());
  const authenticate = delegatingAuthenticator(transport, now);
  const decisions = new TtlCache<boolean>(now);

  async function authorize(user: ReviewedUser, attributes: AccessAttributes): Promise<boolean> {
    const spec = {
      user: user.username,
      ...(user.uid === undefined ? {} : { uid: user.uid }),
      ...(user.groups === undefined ? {} : { groups: user.groups }),
      ...(user.extra === undefined ? {} : { extra: user.extra }),
      ...attributes,
    };
    const key = JSON.stringify(spec);
    const cached = decisions.get(key);
    if (cached !== undefined) return cached;
    const review = await transport.request<SubjectAccessReview>({
      method: "POST",
      path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      body: { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec },
    });
    const allowed = review.status?.allowed === true && review.status.denied !== true;
    decisions.set(key, allowed, allowed ? AUTHZ_ALLOW_TTL_MS : AUTHZ_DENY_TTL_MS);
    return allowed;
  }

  return async ({ authorization, attributes }) => {
    const token = bearerToken(authorization);
    if (token === undefined) return { allowed: false, status: 401, message: "Unauthorized" };
    let user: ReviewedUser | null;
    try {
      user = await authenticate(token);
    } catch (err) {
      options.log.error({ err }, `${component}: TokenReview failed`);
      return { allowed: false, status: 500, message: "Authentication failed" };
    }
    if (user === null) return { allowed: false, status: 401, message: "Unauthorized" };
    try {
      if (await authorize(user, attributes)) return { allowed: true, user: user.username };
    } catch (err) {
      options.log.error({ err, user: user.username }, `${component}: SubjectAccessReview failed`);
      return { allowed: false, status: 500, message: `Authorization for user ${user.username} failed` };
    }
    options.log.debug({ user: user.username, ...attributes }, `${component}: access denied`);
    return { allowed: false, status: 403, message: `Authorization denied for user ${user.username}` };
  };
}
