// Builds dist/, starts one real control plane for the integration tests, installs the CRDs, and shares its kubeconfig.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { removeControlPlaneData, startControlPlane, type BinaryPaths } from "../../hack/control-plane/index.js";
import { ensureDistBuilt } from "./support/build.js";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
    binaries: BinaryPaths;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests that run `helios operator` / `helios agent` as processes use dist/: built once here.
  ensureDistBuilt(project.config.root);
  const plane = await startControlPlane();
  const crdDir = join(project.config.root, "crds");
  if (readdirSync(crdDir).some((f) => f.endsWith(".yaml"))) {
    const kubectl = (...args: string[]) => execFileSync(plane.binaries.kubectl, ["--kubeconfig", plane.kubeconfigPath, ...args], { stdio: "pipe" });
    kubectl("apply", "--server-side", "-f", crdDir);
    kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
  }
  project.provide("kubeconfig", plane.kubeconfigPath);
  project.provide("binaries", plane.binaries);
  return async () => {
    await plane.stop();
    await removeControlPlaneData(plane);
  };
}
