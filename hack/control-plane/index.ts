// The project's envtest: builds kube-apiserver, kube-controller-manager, etcd, kubectl and helm from Go
// modules (cached by version) and runs a real control plane on loopback for `make cluster-up`, the
// tests, the demo and the bench.
export { ensureBinaries, stderrReporter, type Reporter } from "./binaries.js";
export {
  attachControlPlane,
  removeControlPlaneData,
  startControlPlane,
  type ControlPlane,
  type ControlPlaneOptions,
  type ControlPlaneState,
} from "./control-plane.js";
export { freePort, freePorts } from "./processes.js";
export { clusterDown, clusterUp, localClusterPaths, type LocalClusterPaths } from "./local-cluster.js";
export { binaryPaths, CACHE_DIR, ETCD_VERSION, HELM_VERSION, KUBERNETES_VERSION, type BinaryPaths } from "./versions.js";
export { diffRequestTotals, isWrite, parseRequestTotals, scrapeRequestTotals, type RequestCount } from "./apiserver-metrics.js";
