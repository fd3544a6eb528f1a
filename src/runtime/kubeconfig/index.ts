// Loading the cluster to talk to without @kubernetes/client-node (the operator's path): kubeconfig
// files with certificates or tokens, or the pod's service account; anything more exotic is handed
// to client-node, imported only then.
export { KubeconfigError } from "./errors.js";
export { inClusterAccess, inClusterAvailable, SERVICE_ACCOUNT_DIR } from "./in-cluster.js";
export { accessFromFiles, type FileAccess } from "./kubeconfig-file.js";
export { kubeconfigFiles, loadClusterAccess, type LoadClusterAccessOptions, type LoadedClusterAccess } from "./load.js";
export { TlsAccess, TOKEN_REFRESH_MS, type TlsAccessOptions } from "./tls-access.js";
