// The dashboard's session table (idle and absolute expiry) and its request checks and cookie, pure.
import { describe, expect, it } from "vitest";
import { parseAllowedHosts, parseSessionLimits } from "../../../src/cli/commands/dashboard.js";
import { hostAllowed, parseCookies, reachedOverHttps, sameOrigin, SESSION_COOKIE, sessionCookie } from "../../../src/dashboard/http-guards.js";
import { SessionTable } from "../../../src/dashboard/sessions.js";

function table(): SessionTable<string> {
  let n = 0;
  return new SessionTable<string>({ idleMs: 1_000, maxMs: 5_000 }, () => `id${++n}`);
}

describe("SessionTable", () => {
  it("keeps a session while it is used within the idle time, until the absolute limit", () => {
    const sessions = table();
    const id = sessions.create("alice", 0);
    expect(sessions.use(id, 900)).toBe("alice");
    expect(sessions.use(id, 1_800)).toBe("alice");
    expect(sessions.use(id, 2_700)).toBe("alice");
    expect(sessions.use(id, 3_600)).toBe("alice");
    expect(sessions.use(id, 4_500)).toBe("alice");
    expect(sessions.use(id, 5_000)).toBeUndefined();
  });

  it("ends a session idle for the idle time; sweep returns it once", () => {
    const sessions = table();
    const idle = sessions.create("idle", 0);
    const busy = sessions.create("busy", 0);
    expect(sessions.use(busy, 800)).toBe("busy");
    expect(sessions.use(idle, 1_000)).toBeUndefined();
    expect(sessions.sweep(1_000)).toEqual([{ id: idle, value: "idle" }]);
    expect(sessions.sweep(1_000)).toEqual([]);
    expect(sessions.size).toBe(1);
    expect(sessions.sweep(1_800)).toEqual([{ id: busy, value: "busy" }]);
  });

  it("ends a session on sign-out and does not know unknown ids", () => {
    const sessions = table();
    const id = sessions.create("bob", 0);
    expect(sessions.use("nope", 1)).toBeUndefined();
    expect(sessions.end(id)).toBe("bob");
    expect(sessions.use(id, 2)).toBeUndefined();
    expect(sessions.end(id)).toBeUndefined();
  });

  it("gives each session a fresh random id by default", () => {
    const sessions = new SessionTable<number>({ idleMs: 1, maxMs: 1 });
    const a = sessions.create(1, 0);
    const b = sessions.create(2, 0);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Strict, Path=/, Secure unless reached over plain HTTP", () => {
    expect(sessionCookie("abc_-1", { secure: true, maxAgeSeconds: 3600 })).toBe(`${SESSION_COOKIE}=abc_-1; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure`);
    expect(sessionCookie("abc", { secure: false, maxAgeSeconds: 0 })).toBe(`${SESSION_COOKIE}=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    expect(() => sessionCookie("a;b", { secure: true, maxAgeSeconds: 1 })).toThrow(/base64url/);
  });

  it("parses a Cookie header: first of a name wins, quotes dropped, junk ignored", () => {
    const cookies = parseCookies(`a=1; ${SESSION_COOKIE}=xyz; a=2; junk; =empty; q="quoted"`);
    expect(cookies.get("a")).toBe("1");
    expect(cookies.get(SESSION_COOKIE)).toBe("xyz");
    expect(cookies.get("q")).toBe("quoted");
    expect(cookies.size).toBe(3);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it("is Secure over TLS or behind a proxy that says https", () => {
    expect(reachedOverHttps(true, undefined)).toBe(true);
    expect(reachedOverHttps(false, "https")).toBe(true);
    expect(reachedOverHttps(false, "HTTPS, http")).toBe(true);
    expect(reachedOverHttps(false, "http")).toBe(false);
    expect(reachedOverHttps(false, undefined)).toBe(false);
  });
});

describe("Host and Origin checks", () => {
  const fixed = new Set(["dash.example:443", "localhost:8080"]);

  it("serves only the listed Hosts, or any when none is listed", () => {
    expect(hostAllowed("localhost:8080", fixed)).toBe(true);
    expect(hostAllowed("LOCALHOST:8080", fixed)).toBe(true);
    expect(hostAllowed("evil.example", fixed)).toBe(false);
    expect(hostAllowed(undefined, fixed)).toBe(false);
    expect(hostAllowed("anything:1", "any")).toBe(true);
    expect(hostAllowed("", "any")).toBe(false);
  });

  it("takes a mutation whose Origin is the Host the browser used, refuses others", () => {
    expect(sameOrigin({ origin: "http://localhost:8080", host: "localhost:8080" }, fixed)).toBe(true);
    expect(sameOrigin({ origin: "https://dash.internal", host: "dash.internal", secFetchSite: "same-origin" }, "any")).toBe(true);
    expect(sameOrigin({ origin: "https://evil.example", host: "dash.internal" }, "any")).toBe(false);
    expect(sameOrigin({ origin: "http://localhost:8080", host: "localhost:8080", secFetchSite: "cross-site" }, fixed)).toBe(false);
    expect(sameOrigin({ origin: "null", host: "localhost:8080" }, fixed)).toBe(false);
    expect(sameOrigin({ origin: undefined, host: "localhost:8080" }, fixed)).toBe(false);
    expect(sameOrigin({ origin: "http://evil.example", host: "evil.example" }, fixed)).toBe(false);
  });
});

describe("cluster-mode flags", () => {
  it("--session-idle and --session-max are positive durations, idle at most max", () => {
    expect(parseSessionLimits("30m", "8h")).toEqual({ idleMs: 1_800_000, maxMs: 28_800_000 });
    expect(() => parseSessionLimits("0s", "8h")).toThrow(/--session-idle.*positive/);
    expect(() => parseSessionLimits("30m", "soon")).toThrow(/--session-max/);
    expect(() => parseSessionLimits("9h", "8h")).toThrow(/longer than --session-max/);
  });

  it("--allowed-host takes host[:port] as the address bar shows it", () => {
    expect(parseAllowedHosts(["Dash.Example:8443", "dash.example"])).toEqual(["dash.example:8443", "dash.example"]);
    for (const bad of ["http://dash.example", "dash.example/path", ""]) expect(() => parseAllowedHosts([bad])).toThrow(/--allowed-host/);
  });
});
