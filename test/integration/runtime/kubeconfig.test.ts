// The light kubeconfig loader against the real apiserver: the test kubeconfig (client certificate),
// a pod's service account (token file and CA, found through KUBERNETES_SERVICE_HOST/PORT), and an
// exec credential plugin, which is handed to client-node.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Transport } from "../../../src/runtime/client/index.js";
import { KubeconfigError, loadClusterAccess } from "../../../src/runtime/kubeconfig/index.js";
import { createNamespace, kubectl, kubeconfigPath } from "../support/cluster.js";

interface TestKubeconfig {
  clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
}

/** Who the apiserver says we are (SelfSubjectReview, GA since 1.28). */
async function whoAmI(transport: Transport): Promise<string> {
  const review = await transport.request<{ status?: { userInfo?: { username?: string } } }>({
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
  });
  return review.status?.userInfo?.username ?? "";
}

let dir: string;
let ns: string;
let token: string;
let cluster: TestKubeconfig["clusters"][number]["cluster"];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "helios-kubeconfig-"));
  ns = await createNamespace("kubeconfig");
  const parsed = parse(readFileSync(kubeconfigPath(), "utf8")) as TestKubeconfig;
  const first = parsed.clusters[0];
  if (first === undefined) throw new Error("the test kubeconfig has no cluster");
  cluster = first.cluster;
  expect((await kubectl(["create", "serviceaccount", "robot", "-n", ns])).code).toBe(0);
  const created = await kubectl(["create", "token", "robot", "-n", ns]);
  expect(created.code).toBe(0);
  token = created.stdout.trim();
});

describe("loadClusterAccess", () => {
  it("reads the test kubeconfig (client certificate, CA data) without client-node", async () => {
    const missing = join(dir, "missing");
    const loaded = await loadClusterAccess({ env: { KUBECONFIG: [missing, kubeconfigPath()].join(delimiter) } });
    expect(loaded).toMatchObject({ loader: "light", source: kubeconfigPath() });
    expect(await whoAmI(new Transport(loaded.access))).toBe("admin");
  });

  it("talks as the pod's service account: token file and CA from the mounted directory", async () => {
    const sa = join(dir, "serviceaccount");
    mkdirSync(sa);
    writeFileSync(join(sa, "token"), token);
    writeFileSync(join(sa, "ca.crt"), Buffer.from(cluster["certificate-authority-data"], "base64"));
    const url = new URL(cluster.server);
    const loaded = await loadClusterAccess({
      env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, HOME: dir },
      serviceAccountDir: sa,
    });
    expect(loaded).toMatchObject({ loader: "light", source: "in-cluster" });
    expect(await whoAmI(new Transport(loaded.access))).toBe(`system:serviceaccount:${ns}:robot`);
  });

  it("hands an exec credential plugin to client-node, which runs it", async () => {
    const plugin = join(dir, "credential.mjs");
    const credential = { apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token } };
    writeFileSync(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
    const file = join(dir, "exec-kubeconfig");
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster }],
        users: [{ name: "robot", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: process.execPath, args: [plugin], interactiveMode: "Never" } } }],
        contexts: [{ name: "robot", context: { cluster: "c", user: "robot" } }],
        "current-context": "robot",
      }),
    );
    const loaded = await loadClusterAccess({ kubeconfig: file, env: {} });
    expect(loaded).toMatchObject({ loader: "client-node", reason: 'user "robot" uses exec' });
    expect(await whoAmI(new Transport(loaded.access))).toBe(`system:serviceaccount:${ns}:robot`);
  });

  it("fails with KubeconfigError when there is no kubeconfig and no service account", async () => {
    const none = loadClusterAccess({ env: { HOME: join(dir, "nohome") }, serviceAccountDir: join(dir, "nosa") });
    await expect(none).rejects.toBeInstanceOf(KubeconfigError);
    await expect(none).rejects.toThrow(/no kubeconfig found/);
  });
});
