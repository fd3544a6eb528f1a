// The local control plane collects garbage as a real one does: kube-controller-manager follows owner
// references and empties deleted namespaces, Helios objects included.
import { describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../support/cluster.js";
import { waitFor } from "../jobs/support.js";

const GC_TIMEOUT_MS = 60_000;

async function exists(kind: string, name: string, namespace?: string): Promise<boolean> {
  const ns = namespace === undefined ? [] : ["-n", namespace];
  const got = await kubectl(["get", kind, name, ...ns, "-o", "name", "--ignore-not-found"]);
  expect(got.stderr).toBe("");
  return got.stdout.trim() !== "";
}

function apply(manifest: object): Promise<{ code: number; stderr: string }> {
  return kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
}

describe("garbage collection on the local control plane", { timeout: 120_000 }, () => {
  it("deletes a dependent once its owner is gone", async () => {
    const namespace = await createNamespace("gc-owner");
    expect((await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "owner", namespace } })).code).toBe(0);
    const uid = (await kubectl(["get", "configmap", "owner", "-n", namespace, "-o", "jsonpath={.metadata.uid}"])).stdout;
    const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid }];
    expect((await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dependent", namespace, ownerReferences } })).code).toBe(0);

    expect((await kubectl(["delete", "configmap", "owner", "-n", namespace])).code).toBe(0);
    await waitFor("the dependent ConfigMap to be collected", async () => !(await exists("configmap", "dependent", namespace)), GC_TIMEOUT_MS);
  });

  it("finishes `kubectl delete namespace` of a tenant holding Helios objects", async () => {
    const namespace = await createNamespace("gc-tenant");
    const objects = [
      { apiVersion: "helios.dev/v1alpha1", kind: "Job", metadata: { name: "report", namespace }, spec: { type: "echo", payload: { message: "hi" } } },
      { apiVersion: "helios.dev/v1alpha1", kind: "Agent", metadata: { name: "worker", namespace }, spec: { capabilities: ["echo"] } },
      {
        apiVersion: "helios.dev/v1alpha1",
        kind: "FeatureFlag",
        metadata: { name: "new-ui", namespace },
        spec: { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off" },
      },
      { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "worker", namespace }, spec: { holderIdentity: "worker" } },
    ];
    for (const object of objects) expect((await apply(object)).stderr).toBe("");

    const deleted = await kubectl(["delete", "namespace", namespace, "--wait=true", `--timeout=${GC_TIMEOUT_MS / 1000}s`]);
    expect(deleted.stderr).toBe("");
    expect(deleted.code).toBe(0);
    expect(await exists("namespace", namespace)).toBe(false);
  });
});
