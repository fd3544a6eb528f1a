// The light kubeconfig loader's decisions: merging files like kubectl, relative paths, what needs
// client-node, and a token file re-read as it rotates.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accessFromFiles, KubeconfigError, TlsAccess, TOKEN_REFRESH_MS } from "../../../../src/runtime/kubeconfig/index.js";

function file(dir: string, name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

async function applied(access: TlsAccess): Promise<https.RequestOptions> {
  const options: https.RequestOptions = {};
  await access.applyToHTTPSOptions(options);
  return options;
}

describe("accessFromFiles", () => {
  const dir = mkdtempSync(join(tmpdir(), "helios-kc-unit-"));
  mkdirSync(join(dir, "certs"));
  writeFileSync(join(dir, "certs", "ca.pem"), "CA-PEM");
  const first = file(dir, "first", {
    clusters: [{ name: "c", cluster: { server: "https://one:6443", "certificate-authority": "certs/ca.pem" } }],
    users: [{ name: "u", user: { token: "first-token" } }],
    contexts: [{ name: "main", context: { cluster: "c", user: "u" } }],
    "current-context": "main",
  });
  const second = file(dir, "second", {
    clusters: [{ name: "c", cluster: { server: "https://two:6443" } }, { name: "d", cluster: { server: "https://d:6443", "insecure-skip-tls-verify": true } }],
    users: [{ name: "u", user: { token: "second-token" } }, { name: "plugin", user: { exec: { command: "aws" } } }],
    contexts: [{ name: "other", context: { cluster: "d", user: "u" } }, { name: "exec", context: { cluster: "d", user: "plugin" } }],
    "current-context": "other",
  });

  it("merges like kubectl: the first file to name a cluster, user or context or current-context wins", async () => {
    const result = accessFromFiles([first, second]);
    if (result.kind !== "light") throw new Error(result.reason);
    expect(result.access.getCurrentCluster().server).toBe("https://one:6443");
    const options = await applied(result.access);
    expect(options.headers).toEqual({ Authorization: "Bearer first-token" });
    // A relative path is relative to the file that holds it.
    expect(String(options.ca)).toBe("CA-PEM");
  });

  it("selects another context, with its cluster's TLS settings", async () => {
    const result = accessFromFiles([first, second], "other");
    if (result.kind !== "light") throw new Error(result.reason);
    expect(result.access.getCurrentCluster().server).toBe("https://d:6443");
    expect((await applied(result.access)).rejectUnauthorized).toBe(false);
  });

  it("leaves exec plugins (and other credentials it does not implement) to client-node", () => {
    expect(accessFromFiles([first, second], "exec")).toEqual({ kind: "needsClientNode", reason: 'user "plugin" uses exec' });
  });

  it("names the unknown context", () => {
    expect(() => accessFromFiles([first], "nope")).toThrow(KubeconfigError);
    expect(() => accessFromFiles([first], "nope")).toThrow(/no context named "nope"/);
  });
});

describe("TlsAccess", () => {
  it("re-reads a token file once the last read is a minute old (the kubelet rotates it)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "helios-token-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "old\n");
    let now = 0;
    const access = new TlsAccess({ server: "https://k:443", tokenFile, now: () => now });
    expect((await applied(access)).headers).toEqual({ Authorization: "Bearer old" });
    writeFileSync(tokenFile, "new\n");
    now = TOKEN_REFRESH_MS - 1;
    expect((await applied(access)).headers).toEqual({ Authorization: "Bearer old" });
    now = TOKEN_REFRESH_MS;
    expect((await applied(access)).headers).toEqual({ Authorization: "Bearer new" });
  });

  it("withBearerToken: the same server and CA with the given token as the only credential", async () => {
    const dir = mkdtempSync(join(tmpdir(), "helios-token-"));
    const tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "own\n");
    const ca = Buffer.from("ca");
    const own = new TlsAccess({ server: "https://k:443", ca, cert: Buffer.from("cert"), key: Buffer.from("key"), tlsServerName: "kube", tokenFile });
    const user = own.withBearerToken("users-token");
    expect(user.getCurrentCluster()).toEqual({ server: "https://k:443" });
    const options = await applied(user);
    expect(options.headers).toEqual({ Authorization: "Bearer users-token" });
    expect(options).toMatchObject({ ca, servername: "kube" });
    expect(options).not.toHaveProperty("cert");
    expect(options).not.toHaveProperty("key");
    expect((await applied(own)).headers).toEqual({ Authorization: "Bearer own" });
  });
});
