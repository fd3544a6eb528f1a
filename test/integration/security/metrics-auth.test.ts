// Protected /metrics against the real apiserver: the chart installed with metrics.secure (its
// metrics-auth and metrics-reader ClusterRoles, metrics.readers binding one ServiceAccount), and the
// operator running as the chart's ServiceAccount with --metrics-secure. Real ServiceAccount tokens:
// the bound reader gets 200, another ServiceAccount 403, no token or a forged one 401; plain HTTP gets
// no answer (the endpoint is HTTPS with the operator's self-signed certificate).
import { request } from "node:https";
import { X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOperator } from "../../../src/cli/commands/operator.js";
import { resolveOperatorConfig } from "../../../src/runtime/config/index.js";
import { createNamespace, impersonating, kubectl, warningLogger } from "../support/cluster.js";
import { helm, ok } from "./support.js";

const CHART = join(import.meta.dirname, "../../../charts/helios");
const stop = new AbortController();
let ns = "";
let release = "";
let run: Promise<void> | undefined;
let port = 0;

/** GET /metrics over HTTPS (the certificate is self-signed: not verified here, as the ServiceMonitor does not). */
function scrape(token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/metrics", rejectUnauthorized: false, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.once("error", reject);
    req.end();
  });
}

const token = async (sa: string): Promise<string> => (await ok(kubectl(["create", "token", sa, "-n", ns, "--duration", "1h"]), `token of ${sa}`)).trim();

beforeAll(async () => {
  ns = await createNamespace("metrics-auth");
  release = `helios-${ns.split("-").at(-1) ?? "x"}`;
  // The shared cluster's CRDs were applied by the global setup, not by a release: leave them out.
  const sets = ["crds.enabled=false", `watchNamespaces={${ns}}`, "replicaCount=1", "metrics.secure=true", "metrics.readers[0].name=scraper", `metrics.readers[0].namespace=${ns}`];
  await ok(helm(["install", release, CHART, "--namespace", ns, ...sets.flatMap((s) => ["--set", s])]), "helm install");
  await ok(kubectl(["create", "serviceaccount", "scraper", "-n", ns]), "scraper SA");
  await ok(kubectl(["create", "serviceaccount", "bystander", "-n", ns]), "bystander SA");
  const config = resolveOperatorConfig({ namespace: [ns], operatorNamespace: ns, metricsSecure: true, metricsBindAddress: "127.0.0.1:0", healthProbeBindAddress: "0" }, {});
  // As the chart's operator ServiceAccount: the reviews work with the chart's RBAC alone.
  const manager = buildOperator(config, impersonating(`system:serviceaccount:${ns}:${release}-operator`), warningLogger([]));
  run = manager.start(stop.signal);
  port = (await manager.serving()).metrics?.port ?? 0;
}, 240_000);

afterAll(async () => {
  stop.abort();
  await run?.catch(() => undefined);
  if (release !== "") await helm(["uninstall", release, "--namespace", ns, "--ignore-not-found"]);
  if (ns !== "") await kubectl(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
});

describe("--metrics-secure with the chart's metrics RBAC", () => {
  it("serves a ServiceAccount bound to <release>-metrics-reader, refuses others", async () => {
    expect(port).toBeGreaterThan(0);
    const readerToken = await token("scraper");
    const reader = await scrape(readerToken);
    expect(reader.status).toBe(200);
    expect(reader.body).toMatch(/^# HELP /m);
    expect(reader.body).toContain("process_resident_memory_bytes");

    const bystander = await scrape(await token("bystander"));
    expect(bystander.status).toBe(403);
    expect(bystander.body).toBe(`Authorization denied for user system:serviceaccount:${ns}:bystander\n`);

    expect((await scrape()).status).toBe(401);
    expect((await scrape("not-a-token")).status).toBe(401);
    // A well-formed token of a ServiceAccount that no longer exists is not authenticated.
    const gone = await token("bystander");
    await ok(kubectl(["delete", "serviceaccount", "bystander", "-n", ns]), "delete bystander");
    expect((await scrape(gone)).status).toBe(401);
    // Decisions are cached as controller-runtime caches them: an allowed user stays allowed for up to
    // 5 minutes after its binding goes (a revocation takes that long to bite).
    await ok(kubectl(["delete", "clusterrolebinding", `${release}-metrics-reader`]), "unbind the reader");
    expect((await scrape(readerToken)).status).toBe(200);
  });

  it("is HTTPS with a self-signed certificate; plain HTTP gets no metrics", async () => {
    const cert = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerX509Certificate()?.toString() ?? "");
        socket.end();
      });
      socket.once("error", reject);
    });
    const x = new X509Certificate(cert);
    expect(x.subject).toBe("CN=helios-operator-metrics");
    expect(x.verify(x.publicKey)).toBe(true);
    const plain = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.status, () => "refused");
    expect(plain).not.toBe(200);
  });
});
