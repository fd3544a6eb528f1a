// What a Transport needs from a kubeconfig: where the apiserver is and how to authenticate to it.
import type https from "node:https";

/**
 * The part of a kubeconfig a {@link Transport} uses. Structural on purpose: client-node's KubeConfig
 * satisfies it (tests and the agent SDK pass theirs), and so does the runtime's light loader
 * (`loadClusterAccess` in runtime/kubeconfig), which spares the operator client-node's ~85 MB.
 */
export interface ClusterAccess {
  /** The current context's cluster; `null` when the kubeconfig names none. */
  getCurrentCluster(): { readonly server: string } | null;
  /**
   * Adds TLS material, credentials (headers) and optionally an agent to `options`. Called before
   * every request, so rotating credentials (token files, exec plugins) are picked up.
   */
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}
