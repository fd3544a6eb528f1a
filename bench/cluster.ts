// The bench's own private control plane (never the user's `make cluster-up` one), with the CRDs installed.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { removeControlPlaneData, scrapeRequestTotals, startControlPlane, type ControlPlane, type Reporter, type RequestCount } from "../hack/control-plane/index.js";
import { Transport } from "../src/runtime/client/index.js";

/** The repository root, from dist/bench/ or bench/ alike. */
export const REPO_ROOT = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../" : "../", import.meta.url));

export interface BenchCluster {
  readonly plane: ControlPlane;
  readonly kubeConfig: KubeConfig;
  readonly transport: Transport;
  kubectl(args: readonly string[]): Promise<string>;
  createNamespace(name: string): Promise<string>;
  requestTotals(): Promise<RequestCount[]>;
  /** The apiserver's gitVersion. */
  version(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts kube-apiserver + etcd in a fresh temp dir and applies `crds/`. */
export async function startBenchCluster(report: Reporter): Promise<BenchCluster> {
  // Default apiserver flags: the limit is measured on the same configuration Helios runs against.
  const plane = await startControlPlane({ report });
  const kubectl = (args: readonly string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(plane.binaries.kubectl, ["--kubeconfig", plane.kubeconfigPath, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${args.join(" ")}: ${stderr || err.message}`)) : resolve(stdout),
      );
    });
  await kubectl(["apply", "--server-side", "-f", `${REPO_ROOT}crds`]);
  await kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(plane.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    plane,
    kubeConfig,
    transport: new Transport(kubeConfig),
    kubectl,
    async createNamespace(name) {
      await core.createNamespace({ body: { metadata: { name } } });
      return name;
    },
    requestTotals: () => scrapeRequestTotals(plane.kubeconfigPath),
    async version() {
      const out = await kubectl(["version", "-o", "json"]);
      return (JSON.parse(out) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion ?? "unknown";
    },
    async stop() {
      await plane.stop();
      // HELIOS_BENCH_KEEP_PLANE=1 keeps etcd data and the apiserver's logs for a post-mortem.
      if (process.env["HELIOS_BENCH_KEEP_PLANE"] === undefined) await removeControlPlaneData(plane);
      else report(`kept the control plane's data and logs in ${plane.dir}`);
    },
  };
}
