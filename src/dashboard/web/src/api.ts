// Talking to the dashboard server: JSON reads, actions with the CSRF token, and one EventSource per
// tab whose `change` events tell views which resources to re-read (from the server's caches).
import { createContext, useContext, useEffect, useState } from "react";
import type { ActionResult, Session, WatchedResource } from "../../model.js";

/** A JSON read that failed: the server's message (an RBAC refusal reads as one). */
export class ReadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Dispatched on window when the server answers 401: the session ended (in a cluster), so the app shows sign-in. */
export const SIGNED_OUT_EVENT = "helios:signed-out";

function signedOut(reason: string | undefined): void {
  window.dispatchEvent(new CustomEvent(SIGNED_OUT_EVENT, { detail: reason ?? "sign in" }));
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  const body = (await res.json()) as T | { error: string };
  if (res.status === 401) signedOut((body as { error?: string }).error);
  if (!res.ok) throw new ReadError(res.status, (body as { error?: string }).error ?? res.statusText);
  return body as T;
}

/** Signs in with a bearer token (JSON body, never a URL); the server sets the session cookie. */
export async function signIn(token: string, namespace: string): Promise<ActionResult> {
  try {
    const res = await fetch("/api/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, ...(namespace === "" ? {} : { namespace }) }) });
    const body = (await res.json()) as { user?: string; error?: string };
    return res.ok ? { ok: true, message: `signed in as ${body.user ?? ""}` } : { ok: false, message: body.error ?? res.statusText };
  } catch (err) {
    return { ok: false, message: `the dashboard server did not answer: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Ends the session (cluster token mode). */
export async function signOut(): Promise<void> {
  const { csrfToken } = await getSession();
  await fetch("/api/sign-out", { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrfToken }, body: "{}" });
}

let session: Promise<Session> | undefined;
export function getSession(): Promise<Session> {
  session ??= getJson<Session>("/api/session");
  return session;
}

/** Posts one action; the CSRF token travels in a header, never in the URL. Never rejects: a failure is a result. */
export async function postAction(body: Record<string, unknown>): Promise<ActionResult> {
  try {
    const { csrfToken } = await getSession();
    const res = await fetch("/api/actions", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrfToken },
      body: JSON.stringify(body),
    });
    const result = (await res.json()) as ActionResult | { error: string };
    if ("error" in result) return { ok: false, message: result.error };
    return result;
  } catch (err) {
    return { ok: false, message: `the dashboard server did not answer: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** How many `change` events each resource has had in this tab. */
export type Versions = Readonly<Record<WatchedResource, number>>;
const ZERO: Versions = { jobs: 0, agents: 0, leases: 0, featureflags: 0, auditlogs: 0 };
export const VersionsContext = createContext<Versions>(ZERO);

/** Opens the tab's one event stream and counts changes per resource. */
export function useChangeStream(): Versions {
  const [versions, setVersions] = useState<Versions>(ZERO);
  useEffect(() => {
    const source = new EventSource("/api/events");
    // A stream refused or ended by the server (a session that ended) closes; a read tells why.
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) void getJson("/api/session").catch(() => undefined);
    });
    source.addEventListener("change", (event: MessageEvent<string>) => {
      const { resources } = JSON.parse(event.data) as { resources: WatchedResource[] };
      setVersions((v) => {
        const next = { ...v };
        for (const r of resources) next[r] = (next[r] ?? 0) + 1;
        return next;
      });
    });
    return () => source.close();
  }, []);
  return versions;
}

/** Reads `url`, and again whenever one of `resources` changes (or the URL does). */
export function useLive<T>(url: string | undefined, resources: readonly WatchedResource[]): { data?: T; error?: ReadError; reload: () => void } {
  const versions = useContext(VersionsContext);
  const [state, setState] = useState<{ data?: T; error?: ReadError }>({});
  const [manual, setManual] = useState(0);
  const key = resources.map((r) => versions[r]).join(",");
  useEffect(() => {
    if (url === undefined) return;
    let current = true;
    getJson<T>(url).then(
      (data) => current && setState({ data }),
      (error: unknown) => current && setState((s) => ({ ...s, error: error instanceof ReadError ? error : new ReadError(0, String(error)) })),
    );
    return () => {
      current = false;
    };
  }, [url, key, manual]);
  return { ...state, reload: () => setManual((n) => n + 1) };
}
