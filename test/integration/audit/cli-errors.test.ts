// `helios audit` names what went wrong: no cluster, no kubeconfig, the AuditLog CRD not installed.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeControlPlaneData, startControlPlane, type ControlPlane } from "../../../hack/control-plane/index.js";
import { helios } from "./support.js";

let bare: ControlPlane;
const dir = mkdtempSync(join(tmpdir(), "helios-audit-cli-"));

beforeAll(async () => {
  // A private control plane without Helios CRDs.
  bare = await startControlPlane();
});

afterAll(async () => {
  await bare.stop();
  await removeControlPlaneData(bare);
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("helios audit errors", () => {
  it("says when the AuditLog CRD is not installed", async () => {
    const out = await helios(["audit", "--kubeconfig", bare.kubeconfigPath, "-n", "default"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("the AuditLog API (auditlogs.helios.dev/v1alpha1) is not installed");
  });

  it("says when the cluster cannot be reached", async () => {
    const port = await closedPort();
    const path = join(dir, "unreachable");
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    );
    const out = await helios(["audit", "--kubeconfig", path]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`cannot reach the cluster at https://127.0.0.1:${port}`);
  });

  it("says when the kubeconfig cannot be loaded or has no context", async () => {
    const missing = await helios(["audit", "--kubeconfig", join(dir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot load kubeconfig");
    const empty = join(dir, "empty");
    writeFileSync(empty, "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n");
    const none = await helios(["audit", "--kubeconfig", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no cluster configured");
  });
});
