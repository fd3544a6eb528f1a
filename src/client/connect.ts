// Connecting a job client the way kubectl finds its cluster: kubeconfig, context, namespace, else the pod's service account.
import { Transport, type ClusterAccess } from "../runtime/client/index.js";
import { loadClusterAccess } from "../runtime/kubeconfig/index.js";
import { JobClient } from "./job-client.js";

export interface ConnectOptions {
  /** A kubeconfig file; default: $KUBECONFIG, else ~/.kube/config, else the pod's service account. */
  readonly kubeconfig?: string | undefined;
  /** A context other than the current one. */
  readonly context?: string | undefined;
  /** The namespace to act in; default: the context's, else the pod's, else `default`. */
  readonly namespace?: string | undefined;
  /** Access already loaded (e.g. client-node's KubeConfig); kubeconfig and context are then ignored. */
  readonly access?: ClusterAccess | undefined;
  /** Deadline of one request. Default 30 s. */
  readonly requestTimeoutMs?: number | undefined;
  /** Where $KUBECONFIG, $HOME and the in-cluster variables are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A JobClient for the cluster of a kubeconfig. Client certificates and tokens are handled here;
 * exec plugins and auth providers load @kubernetes/client-node, only then.
 * @throws KubeconfigError when no kubeconfig or service account is found, or it is unusable.
 */
export async function connectJobClient(options: ConnectOptions = {}): Promise<JobClient> {
  const loaded =
    options.access === undefined
      ? await loadClusterAccess({ kubeconfig: options.kubeconfig, context: options.context, env: options.env ?? process.env })
      : { access: options.access, namespace: undefined };
  const transport = new Transport(loaded.access, options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs });
  return new JobClient(transport, options.namespace ?? loaded.namespace ?? "default");
}
