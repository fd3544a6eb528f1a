// The self-signed serving certificate of protected /metrics: a valid X.509 certificate Node's TLS serves.
import { X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { connect } from "node:tls";
import { describe, expect, it } from "vitest";
import { selfSignedCertificate } from "../../../../src/runtime/serving/self-signed.js";

describe("selfSignedCertificate", () => {
  it("is self-signed, for a year, with the given DNS names and IPs as SANs", () => {
    const now = new Date("2026-12-07T10:00:00Z");
    const { cert } = selfSignedCertificate("helios-metrics", ["localhost", "helios-operator.helios-system.svc", "127.0.0.1", "::1"], now);
    const x = new X509Certificate(cert);
    expect(x.subject).toBe("CN=helios-metrics");
    expect(x.issuer).toBe("CN=helios-metrics");
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(new Date(x.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(x.validTo).getTime() - now.getTime()).toBeGreaterThanOrEqual(364 * 24 * 3600_000);
    expect(x.checkHost("helios-operator.helios-system.svc")).toBe("helios-operator.helios-system.svc");
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x.checkIP("0:0:0:0:0:0:0:1")).toBe("0:0:0:0:0:0:0:1");
    expect(x.checkHost("elsewhere.example")).toBeUndefined();
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
  });

  it("is served by node:https and accepted by a client that trusts it", async () => {
    const { key, cert } = selfSignedCertificate("helios-metrics", ["localhost"]);
    const server = createServer({ key, cert }, (_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as AddressInfo).port;
      const peer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port, servername: "localhost", ca: cert }, () => {
          resolve(socket.getPeerX509Certificate()?.subject ?? "");
          socket.end();
        });
        socket.once("error", reject);
      });
      expect(peer).toBe("CN=helios-metrics");
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
