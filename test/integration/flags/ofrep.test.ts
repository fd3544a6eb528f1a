// OFREP against the real apiserver, read by a client nobody here wrote: the official OpenFeature OFREP
// provider (@openfeature/ofrep-provider) with the OpenFeature server SDK evaluates FeatureFlags applied
// with kubectl through a running `helios flags serve`, acting as the chart's <release>-flags
// ServiceAccount (the chart installed with flags.ofrep.enabled: its RBAC is all it has). Callers are real ServiceAccount tokens (the
// TokenRequest API via `kubectl create token`), authorized by RBAC Roles on featureflags: a tenant's
// token reads its own namespace and is refused another's. Bulk polling with ETag / If-None-Match
// and the protocol's error shapes are checked with fetch.
import { OpenFeature } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFlagsServeFlags, startFlagsServer, type RunningFlagsServer } from "../../../src/cli/commands/flags.js";
import { join } from "node:path";
import { createNamespace, impersonating, kubectl, warningLogger } from "../support/cluster.js";
import { helm, ok as succeeded } from "../security/support.js";
import { applyFlagOk, booleanSpec, eventually, numberSpec } from "./support.js";

const CHART = join(import.meta.dirname, "../../../charts/helios");
const stop = new AbortController();
let shop = "";
let other = "";
let system = "";
let release = "";
let server: RunningFlagsServer | undefined;
let base = "";
const tokens = { app: "", tenant: "", nobody: "" };

async function ok(args: string[], input?: string): Promise<string> {
  const result = await kubectl(args, input === undefined ? {} : { input });
  expect(result.code, `kubectl ${args.join(" ")}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A ServiceAccount in `ns` that may `get` FeatureFlags in `readable` (none when undefined); its token. */
async function caller(ns: string, name: string, readable?: string): Promise<string> {
  await ok(["create", "serviceaccount", name, "-n", ns]);
  if (readable !== undefined) {
    await ok(["create", "role", `${name}-flags`, "-n", readable, "--verb=get", "--resource=featureflags.helios.dev"]);
    await ok(["create", "rolebinding", `${name}-flags`, "-n", readable, `--role=${name}-flags`, `--serviceaccount=${ns}:${name}`]);
  }
  return (await ok(["create", "token", name, "-n", ns, "--duration", "1h"])).trim();
}

function post(path: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function providerFor(baseUrl: string, token: string, headers: [string, string][] = []): OFREPProvider {
  return new OFREPProvider({ baseUrl, headers: [["Authorization", `Bearer ${token}`], ...headers] });
}

beforeAll(async () => {
  [shop, other, system] = await Promise.all([createNamespace("ofrep-shop"), createNamespace("ofrep-other"), createNamespace("ofrep-sys")]);
  release = `helios-${system.split("-").at(-1) ?? "x"}`;
  // The shared cluster's CRDs were applied by the global setup, not by a release: leave them out.
  const sets = ["crds.enabled=false", `watchNamespaces={${shop},${other}}`, "replicaCount=1", "flags.ofrep.enabled=true"];
  await succeeded(helm(["install", release, CHART, "--namespace", system, ...sets.flatMap((x) => ["--set", x])]), "helm install");
  await applyFlagOk(shop, "new-checkout", booleanSpec(false, { targeting: { if: [{ "==": [{ var: "plan" }, "pro"] }, "on", null] } }));
  await applyFlagOk(shop, "banner", { state: "ENABLED", variants: { a: "hello", b: "bonjour" }, defaultVariant: "a" });
  await applyFlagOk(shop, "page-size", numberSpec(20));
  await applyFlagOk(shop, "theme", { state: "ENABLED", variants: { dark: { bg: "black" }, light: { bg: "white" } }, defaultVariant: "dark" });
  await applyFlagOk(shop, "retired", booleanSpec(true, { state: "DISABLED" }));
  await applyFlagOk(other, "banner", { state: "ENABLED", variants: { a: "other namespace" }, defaultVariant: "a" });
  tokens.app = await caller(shop, "app", shop);
  tokens.tenant = await caller(other, "tenant", other);
  tokens.nobody = await caller(shop, "nobody");

  const config = parseFlagsServeFlags({ bindAddress: "127.0.0.1:0", namespaces: `${shop},${other}`, logLevel: "warn" }, {});
  server = await startFlagsServer(config, impersonating(`system:serviceaccount:${system}:${release}-flags`), warningLogger([]), stop.signal);
  base = `http://127.0.0.1:${server.address.port}`;
  await eventually("the flags server ready", async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined));
  await OpenFeature.setProviderAndWait("shop-app", providerFor(`${base}/namespaces/${shop}`, tokens.app));
  await OpenFeature.setProviderAndWait("tenant-via-header", providerFor(base, tokens.tenant, [["X-Helios-Namespace", other]]));
  await OpenFeature.setProviderAndWait("tenant-in-shop", providerFor(`${base}/namespaces/${shop}`, tokens.tenant));
}, 120_000);

afterAll(async () => {
  await OpenFeature.close();
  stop.abort();
  await server?.stopped;
  if (release !== "") await helm(["uninstall", release, "--namespace", system, "--ignore-not-found"]);
  for (const ns of [shop, other, system]) if (ns !== "") await kubectl(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
});

describe("helios flags serve with the official OFREP provider", () => {
  it("serves boolean, string, number and object flags of the namespace in the base URL", async () => {
    const client = OpenFeature.getClient("shop-app");
    expect(await client.getBooleanValue("new-checkout", true)).toBe(false);
    expect(await client.getStringDetails("banner", "x")).toMatchObject({ value: "hello", variant: "a", reason: "STATIC" });
    expect(await client.getNumberValue("page-size", 0)).toBe(20);
    expect(await client.getObjectValue("theme", {})).toEqual({ bg: "black" });
  });

  it("targets with the evaluation context the provider sends", async () => {
    const client = OpenFeature.getClient("shop-app");
    expect(await client.getBooleanDetails("new-checkout", false, { targetingKey: "u-1", plan: "pro" })).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(await client.getBooleanDetails("new-checkout", true, { targetingKey: "u-2", plan: "free" })).toMatchObject({ value: false, variant: "off", reason: "DEFAULT" });
  });

  it("answers FLAG_NOT_FOUND for a missing flag: the code default, with the error", async () => {
    const details = await OpenFeature.getClient("shop-app").getStringDetails("no-such-flag", "code default");
    expect(details).toMatchObject({ value: "code default", reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
  });

  it("reads the namespace from the X-Helios-Namespace header under a root base URL", async () => {
    expect(await OpenFeature.getClient("tenant-via-header").getStringValue("banner", "x")).toBe("other namespace");
  });

  it("refuses a tenant's token another namespace's flags (403), and callers without a valid token (401)", async () => {
    const refused = await OpenFeature.getClient("tenant-in-shop").getStringDetails("banner", "code default");
    expect(refused).toMatchObject({ value: "code default", reason: "ERROR" });
    const forbidden = await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/banner`, tokens.tenant, { context: {} });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ errorDetails: `Authorization denied for user system:serviceaccount:${other}:tenant` });
    expect((await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags`, tokens.nobody, { context: {} })).status).toBe(403);
    expect((await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/banner`, undefined, { context: {} })).status).toBe(401);
    expect((await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/banner`, "not-a-token", { context: {} })).status).toBe(401);
  });

  it("answers the protocol's error shapes", async () => {
    const notFound = await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/nope`, tokens.app, { context: {} });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ key: "nope", errorCode: "FLAG_NOT_FOUND" });
    const badBody = await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/banner`, tokens.app, "{not json");
    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toMatchObject({ key: "banner", errorCode: "INVALID_CONTEXT" });
    const badKey = await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/banner`, tokens.app, { context: { targetingKey: 7 } });
    expect(badKey.status).toBe(400);
    expect(await badKey.json()).toMatchObject({ errorCode: "INVALID_CONTEXT" });
    const disabled = await post(`/namespaces/${shop}/ofrep/v1/evaluate/flags/retired`, tokens.app, { context: {} });
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toEqual({ key: "retired", reason: "DISABLED", metadata: {} });
  });

  it("bulk-evaluates every flag of the namespace, answers 304 to its ETag, and a new ETag after a change", async () => {
    const bulk = (etag?: string) => post(`/namespaces/${shop}/ofrep/v1/evaluate/flags`, tokens.app, { context: { targetingKey: "u-1", plan: "pro" } }, etag === undefined ? {} : { "if-none-match": etag });
    const first = await bulk();
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    const body = (await first.json()) as { flags: { key: string; value?: unknown; reason: string }[] };
    expect(body.flags.map((f) => f.key)).toEqual(["banner", "new-checkout", "page-size", "retired", "theme"]);
    expect(body.flags.find((f) => f.key === "new-checkout")).toMatchObject({ value: true, reason: "TARGETING_MATCH" });

    const unchanged = await bulk(etag);
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("etag")).toBe(etag);

    await applyFlagOk(shop, "banner", { state: "ENABLED", variants: { a: "hello", b: "bonjour" }, defaultVariant: "b" });
    const changed = await eventually("a bulk answer with a new ETag", async () => {
      const res = await bulk(etag);
      return res.status === 200 ? res : undefined;
    });
    expect(changed.headers.get("etag")).not.toBe(etag);
    const after = (await changed.json()) as { flags: { key: string; value?: unknown }[] };
    expect(after.flags.find((f) => f.key === "banner")).toMatchObject({ value: "bonjour" });
    expect(await OpenFeature.getClient("shop-app").getStringValue("banner", "x")).toBe("bonjour");
  });
});
