// The dashboard in a cluster (`helios dashboard --auth token|proxy`) against the real control plane.
// Its own identity is the ServiceAccount the chart makes (installed by helm; its ClusterRole may only
// create TokenReviews), used through a kubeconfig holding that ServiceAccount's token. Two users are
// real ServiceAccount tokens (`kubectl create token`) whose Roles cover namespace A resp. B: each signs
// in (over HTTP, and once in Chromium through the sign-in page), sees only its namespace's jobs, and
// is refused an action in the other's with the apiserver's words. The server's log never holds a token.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { BrowserContext } from "playwright-core";
import { LOG_DIR, jobBody, clients } from "../jobs/support.js";
import { helm, ok as succeeded } from "../security/support.js";
import { createNamespace, kubeConfig, kubeconfigPath, kubectl } from "../support/cluster.js";
import { ensureDashboardBuilt, launchBrowser, namespaceUserManifest, startDashboardProcess, type RunningDashboardProcess } from "./support.js";

const CHART = join(import.meta.dirname, "../../../charts/helios");
const c = clients(kubeConfig());
let nsA = "";
let nsB = "";
let system = "";
let release = "";
const tokens = { a: "", b: "", dashboard: "" };
let ownConfig = "";
let tokenMode: RunningDashboardProcess | undefined;
let proxyMode: RunningDashboardProcess | undefined;
let browser: BrowserContext | undefined;

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input === undefined ? {} : { input });
  expect(result.code, `kubectl ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A ServiceAccount `user` in `ns` whose Role there covers what the dashboard reads and does; its token. */
async function user(ns: string): Promise<string> {
  await ok(["apply", "-f", "-"], namespaceUserManifest(ns, "user"));
  return (await ok(["create", "token", "user", "-n", ns, "--duration", "1h"])).trim();
}

/** The shared cluster's kubeconfig with `token` as its only credential. */
function kubeconfigWithToken(token: string): string {
  const config = parse(readFileSync(kubeconfigPath(), "utf8")) as { users: { name: string; user: Record<string, unknown> }[] };
  config.users = config.users.map((u) => ({ name: u.name, user: { token } }));
  const file = join(mkdtempSync(join(tmpdir(), "helios-dash-sa-")), "kubeconfig");
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

interface SignedIn {
  readonly cookie: string;
  readonly csrfToken: string;
  readonly user: string;
}

function api(base: RunningDashboardProcess | undefined, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL(path, base?.url), init);
}

async function signIn(token: string, namespace: string): Promise<SignedIn> {
  const origin = new URL(tokenMode?.url ?? "").origin;
  const res = await api(tokenMode, "/api/sign-in", { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify({ token, namespace }) });
  expect(res.status, await res.clone().text()).toBe(200);
  const setCookie = res.headers.getSetCookie()[0] ?? "";
  expect(setCookie).toMatch(/^helios_dashboard_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  const cookie = setCookie.split(";")[0] ?? "";
  const session = (await (await api(tokenMode, "/api/session", { headers: { cookie } })).json()) as { csrfToken: string; user: string; auth: string };
  expect(session.auth).toBe("token");
  return { cookie, csrfToken: session.csrfToken, user: session.user };
}

function cancel(signedIn: SignedIn, namespace: string, name: string): Promise<Response> {
  const origin = new URL(tokenMode?.url ?? "").origin;
  return api(tokenMode, "/api/actions", {
    method: "POST",
    headers: { "content-type": "application/json", origin, cookie: signedIn.cookie, "x-csrf-token": signedIn.csrfToken },
    body: JSON.stringify({ action: "cancel-job", namespace, name }),
  });
}

async function jobNamespaces(headers: Record<string, string>, base = tokenMode): Promise<string[]> {
  const res = await api(base, "/api/jobs", { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { namespace: string }[] }).items.map((j) => j.namespace);
}

beforeAll(async () => {
  ensureDashboardBuilt(process.cwd());
  [nsA, nsB, system] = await Promise.all([createNamespace("dash-ca"), createNamespace("dash-cb"), createNamespace("dash-csys")]);
  release = `helios-${system.split("-").at(-1) ?? "x"}`;
  // The chart makes the dashboard's ServiceAccount and its TokenReview-only RBAC (its pods do not run here: no nodes).
  const sets = ["crds.enabled=false", "replicaCount=1", "admissionPolicy.enabled=false", "dashboard.enabled=true"];
  await succeeded(helm(["install", release, CHART, "--namespace", system, ...sets.flatMap((x) => ["--set", x])]), "helm install");
  tokens.dashboard = (await ok(["create", "token", `${release}-dashboard`, "-n", system, "--duration", "1h"])).trim();
  ownConfig = kubeconfigWithToken(tokens.dashboard);
  [tokens.a, tokens.b] = await Promise.all([user(nsA), user(nsB)]);
  await Promise.all([c.jobs.create(jobBody(nsA, "job-a", { type: "echo", payload: { message: "a" } })), c.jobs.create(jobBody(nsB, "job-b", { type: "echo", payload: { message: "b" } }))]);
  const common = ["--kubeconfig", ownConfig, "--address", "127.0.0.1", "--operator-namespace", system, "--log-level", "debug"];
  [tokenMode, proxyMode] = await Promise.all([
    startDashboardProcess([...common, "--auth", "token"], "dashboard-in-cluster-token"),
    startDashboardProcess([...common, "--auth", "proxy", "-n", nsA], "dashboard-in-cluster-proxy"),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([tokenMode?.stop(), proxyMode?.stop()]);
  if (release !== "") await helm(["uninstall", release, "--namespace", system, "--ignore-not-found"]);
  for (const ns of [nsA, nsB, system]) if (ns !== "") await kubectl(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
});

describe("helios dashboard --auth token|proxy", () => {
  it("acts with the users' tokens: its own ServiceAccount may not list jobs", async () => {
    const own = await kubectl(["--kubeconfig", ownConfig, "get", "jobs.helios.dev", "-A"]);
    expect(own.code).not.toBe(0);
    expect(own.stderr).toMatch(/forbidden.*cannot list resource "jobs"/);
    const canI = await kubectl(["auth", "can-i", "create", "tokenreviews.authentication.k8s.io", "--as", `system:serviceaccount:${system}:${release}-dashboard`]);
    expect(canI.stdout.trim()).toBe("yes");
  });

  it("signs each user in, shows only their namespace's jobs and refuses their actions elsewhere with the apiserver's words", async () => {
    const [a, b] = await Promise.all([signIn(tokens.a, nsA), signIn(tokens.b, nsB)]);
    expect(a.user).toBe(`system:serviceaccount:${nsA}:user`);
    expect(b.user).toBe(`system:serviceaccount:${nsB}:user`);
    expect(await jobNamespaces({ cookie: a.cookie })).toEqual([nsA]);
    expect(await jobNamespaces({ cookie: b.cookie })).toEqual([nsB]);

    const refused = await cancel(a, nsB, "job-b");
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { ok: boolean; message: string };
    expect(body.ok).toBe(false);
    expect(body.message).toContain(`system:serviceaccount:${nsA}:user`);
    expect(body.message).toContain(`cannot get jobs.helios.dev "job-b" in namespace "${nsB}"`);
    expect((await c.jobs.get({ namespace: nsB, name: "job-b" })).spec.cancel).not.toBe(true);
    // In its own namespace the same action is done, as the user.
    const allowed = await cancel(b, nsB, "job-b");
    expect(allowed.status, await allowed.clone().text()).toBe(200);
    expect((await c.jobs.get({ namespace: nsB, name: "job-b" })).spec.cancel).toBe(true);

    // A mutation needs the session's CSRF token and the page's own origin.
    const origin = new URL(tokenMode?.url ?? "").origin;
    const noCsrf = await api(tokenMode, "/api/actions", { method: "POST", headers: { "content-type": "application/json", origin, cookie: a.cookie }, body: "{}" });
    expect(noCsrf.status).toBe(403);
    const foreign = await api(tokenMode, "/api/actions", { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example", cookie: a.cookie, "x-csrf-token": a.csrfToken }, body: "{}" });
    expect(foreign.status).toBe(403);

    // Sign-out ends the session.
    const out = await api(tokenMode, "/api/sign-out", { method: "POST", headers: { "content-type": "application/json", origin, cookie: a.cookie, "x-csrf-token": a.csrfToken }, body: "{}" });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect((await api(tokenMode, "/api/jobs", { headers: { cookie: a.cookie } })).status).toBe(401);
  });

  it("answers 401 to a bad token, no session, or an unknown session", async () => {
    const origin = new URL(tokenMode?.url ?? "").origin;
    const bad = await api(tokenMode, "/api/sign-in", { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify({ token: "not-a-token-at-all" }) });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe("the apiserver does not accept this token");
    expect((await api(tokenMode, "/api/jobs")).status).toBe(401);
    expect((await api(tokenMode, "/api/session", { headers: { cookie: "helios_dashboard_session=forged" } })).status).toBe(401);
    // A sign-in from another origin is refused before the token is looked at.
    const crossSite = await api(tokenMode, "/api/sign-in", { method: "POST", headers: { "content-type": "application/json", origin: "http://evil.example" }, body: JSON.stringify({ token: tokens.a }) });
    expect(crossSite.status).toBe(403);
  });

  it("proxy mode serves a request with a reviewed bearer header and refuses one without", async () => {
    const session = await api(proxyMode, "/api/session", { headers: { authorization: `Bearer ${tokens.a}` } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ auth: "proxy", user: `system:serviceaccount:${nsA}:user`, scope: `namespace ${nsA}` });
    expect(await jobNamespaces({ authorization: `Bearer ${tokens.a}` }, proxyMode)).toEqual([nsA]);
    expect((await api(proxyMode, "/api/jobs")).status).toBe(401);
    expect((await api(proxyMode, "/api/jobs", { headers: { authorization: "Bearer not-a-token" } })).status).toBe(401);
    expect((await api(proxyMode, "/api/sign-in", { method: "POST", headers: { "content-type": "application/json", origin: new URL(proxyMode?.url ?? "").origin }, body: "{}" })).status).toBe(404);
  });

  it("signs in through the page in Chromium and shows the user's jobs", async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(tokenMode?.url ?? "");
    await page.getByTestId("sign-in").waitFor({ timeout: 20_000 });
    await page.locator("textarea[name=token]").fill(tokens.b);
    await page.locator("input[name=namespace]").fill(nsB);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByTestId("session").textContent().catch(() => ""), { timeout: 20_000 }).toContain(`system:serviceaccount:${nsB}:user`);
    expect(page.url()).not.toContain(tokens.b.slice(0, 20));
    await page.goto(`${tokenMode?.url ?? ""}#/jobs`);
    await page.getByTestId("job-row").first().waitFor({ timeout: 20_000 });
    const namespaces = await Promise.all((await page.getByTestId("job-row").all()).map((row) => row.getAttribute("data-namespace")));
    expect(new Set(namespaces)).toEqual(new Set([nsB]));
    // The session cookie is not readable by script.
    expect(await page.evaluate<string>("document.cookie")).toBe("");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByTestId("sign-in").waitFor({ timeout: 20_000 });
  });

  it("never writes a token to its log", async () => {
    const logs = (): string[] => ["dashboard-in-cluster-token", "dashboard-in-cluster-proxy"].map((name) => readFileSync(join(LOG_DIR, `${name}.log`), "utf8"));
    await expect.poll(() => logs()[0], { timeout: 10_000 }).toContain(`"user":"system:serviceaccount:${nsB}:user","msg":"dashboard: signed out"`);
    for (const log of logs()) for (const token of [tokens.a, tokens.b, tokens.dashboard, "not-a-token"]) expect(log.includes(token)).toBe(false);
  });
});
