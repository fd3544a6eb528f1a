// The dashboard's request checks and its session cookie, pure: which Host is accepted, whether a
// mutation comes from the page's own origin, and the cookie's parsing and serialising.

/** The session cookie's name. */
export const SESSION_COOKIE = "helios_dashboard_session";

/**
 * Whether a request's Host may be served. `allowed` "any": every Host (a dashboard in a cluster
 * without --allowed-host, where every API request needs a session or a reviewed bearer token).
 */
export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string> | "any"): boolean {
  if (host === undefined || host === "") return false;
  return allowed === "any" || allowed.has(host.toLowerCase());
}

/**
 * Whether a mutation comes from the dashboard's own page: its Origin's host is the Host the browser
 * used (and that Host is served), and Sec-Fetch-Site, when sent, says same-origin. A missing,
 * opaque (`null`) or malformed Origin is refused.
 */
export function sameOrigin(headers: { readonly origin?: string | undefined; readonly host?: string | undefined; readonly secFetchSite?: string | undefined }, allowed: ReadonlySet<string> | "any"): boolean {
  const { origin, host, secFetchSite } = headers;
  if (origin === undefined || host === undefined || !URL.canParse(origin)) return false;
  if (secFetchSite !== undefined && secFetchSite !== "same-origin") return false;
  const originHost = new URL(origin).host;
  return originHost !== "" && originHost === host.toLowerCase() && hostAllowed(originHost, allowed);
}

/** The cookies of a Cookie header by name (the first of a repeated name wins); values are not decoded. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name !== "" && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  /** Send only over HTTPS: true unless the browser reached the dashboard over plain HTTP. */
  readonly secure: boolean;
  /** Lifetime in seconds; 0 deletes the cookie. */
  readonly maxAgeSeconds: number;
}

/** The Set-Cookie value of the session cookie: HttpOnly (no script reads it), SameSite=Strict, Path=/. */
export function sessionCookie(id: string, options: CookieOptions): string {
  if (!/^[A-Za-z0-9_-]*$/.test(id)) throw new Error("a session id is base64url");
  const parts = [`${SESSION_COOKIE}=${id}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}

/** Whether the browser reached the dashboard over HTTPS: a TLS socket, or a proxy's `X-Forwarded-Proto: https`. */
export function reachedOverHttps(encrypted: boolean, forwardedProto: string | undefined): boolean {
  return encrypted || (forwardedProto ?? "").split(",")[0]?.trim().toLowerCase() === "https";
}
