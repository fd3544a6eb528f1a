// The OFREP server's HTTP behaviour around evaluation: methods, paths, readiness, namespaces not
// served, the reviewer's verdicts passed through, request limits, and HTTPS. The caller's review is a
// stub here (the real TokenReview/SubjectAccessReview path is test/integration/flags/ofrep.test.ts).
import { request } from "node:https";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlagStore } from "../../../src/flags/index.js";
import { MAX_BODY_BYTES, serveOfrep, type OfrepHandlerOptions } from "../../../src/ofrep/index.js";
import { closeServer, selfSignedCertificate, type AccessAttributes } from "../../../src/runtime/serving/index.js";
import { flagObject } from "../flags/support.js";

const store = new FlagStore();
store.onAdd(flagObject("banner", { state: "ENABLED", variants: { a: "hello" }, defaultVariant: "a" }, { namespace: "shop" }));
let ready = true;
const asked: AccessAttributes[] = [];
const options: OfrepHandlerOptions = {
  store,
  namespaces: ["shop", "payments"],
  ready: () => ready,
  log: { debug: () => undefined, error: () => undefined },
  reviewer: ({ authorization, attributes }) => {
    asked.push(attributes);
    if (authorization !== "Bearer good") return Promise.resolve({ allowed: false, status: 401, message: "Unauthorized" });
    return Promise.resolve({ allowed: true, user: "app" });
  },
};
const servers: Server[] = [];
let base = "";
let tlsPort = 0;

beforeAll(async () => {
  const plain = await serveOfrep(options, { host: "127.0.0.1", port: 0 });
  const tls = await serveOfrep(options, { host: "127.0.0.1", port: 0 }, selfSignedCertificate("helios-flags", ["127.0.0.1"]));
  servers.push(plain.server, tls.server);
  base = `http://127.0.0.1:${plain.address.port}`;
  tlsPort = tls.address.port;
});

afterAll(async () => {
  await Promise.all(servers.map(closeServer));
});

const post = (path: string, body = '{"context":{}}', headers: Record<string, string> = { authorization: "Bearer good" }) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("the OFREP server", () => {
  it("asks the reviewer for get featureflags.helios.dev in the namespace read", async () => {
    asked.length = 0;
    const res = await post("/namespaces/shop/ofrep/v1/evaluate/flags/banner");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ key: "banner", value: "hello", reason: "STATIC", variant: "a", metadata: {} });
    expect(asked).toEqual([{ resourceAttributes: { group: "helios.dev", resource: "featureflags", namespace: "shop", verb: "get" } }]);
    expect((await post("/namespaces/shop/ofrep/v1/evaluate/flags/banner", "{}", {})).status).toBe(401);
  });

  it("needs a namespace when it serves several, and names a namespace it does not serve", async () => {
    const unnamed = await post("/ofrep/v1/evaluate/flags/banner");
    expect(unnamed.status).toBe(400);
    expect(await unnamed.json()).toMatchObject({ key: "banner", errorCode: "INVALID_CONTEXT" });
    expect((await post("/ofrep/v1/evaluate/flags/banner", "{}", { authorization: "Bearer good", "x-helios-namespace": "shop" })).status).toBe(200);
    const elsewhere = await post("/namespaces/billing/ofrep/v1/evaluate/flags/banner");
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toMatchObject({ errorCode: "FLAG_NOT_FOUND", errorDetails: "namespace billing is not served by this server" });
    expect((await post("/namespaces/billing/ofrep/v1/evaluate/flags")).status).toBe(400);
  });

  it("answers 405 to other methods, 404 to other paths, 503 until the flags are listed", async () => {
    const get = await fetch(`${base}/namespaces/shop/ofrep/v1/evaluate/flags/banner`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await post("/ofrep/v2/evaluate/flags")).status).toBe(404);
    ready = false;
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      const early = await post("/namespaces/shop/ofrep/v1/evaluate/flags/banner");
      expect(early.status).toBe(503);
      expect(early.headers.get("retry-after")).toBe("1");
    } finally {
      ready = true;
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("refuses a body larger than the limit", async () => {
    const huge = JSON.stringify({ context: { blob: "x".repeat(MAX_BODY_BYTES) } });
    const res = await post("/namespaces/shop/ofrep/v1/evaluate/flags", huge);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorCode: "INVALID_CONTEXT" });
  });

  it("serves HTTPS with a certificate", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: tlsPort, method: "POST", path: "/namespaces/shop/ofrep/v1/evaluate/flags/banner", rejectUnauthorized: false, headers: { authorization: "Bearer good" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.once("error", reject);
      req.end('{"context":{}}');
    });
    expect(status).toBe(200);
  });
});
