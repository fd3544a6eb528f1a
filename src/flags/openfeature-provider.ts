// The entry of the @helios-dev/openfeature-provider package: HeliosProvider, and connecting it to the
// cluster kubectl would use (--kubeconfig, $KUBECONFIG, ~/.kube/config, then the pod's service account).
import type { EvaluationContext } from "@openfeature/server-sdk";
import type { Logger } from "pino";
import { loadClusterAccess } from "../runtime/kubeconfig/index.js";
import { HeliosProvider } from "./provider.js";

export { HeliosProvider, type HeliosProviderOptions } from "./provider.js";
export { KubeconfigError, loadClusterAccess, type LoadClusterAccessOptions, type LoadedClusterAccess } from "../runtime/kubeconfig/index.js";
export type { ClusterAccess } from "../runtime/client/index.js";

export interface ConnectHeliosProviderOptions {
  /** The namespace whose FeatureFlags the provider serves; default: the context's, else the pod's, else `default`. */
  readonly namespace?: string | undefined;
  /** A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config, then the pod's service account. */
  readonly kubeconfig?: string | undefined;
  /** A kubeconfig context other than the current one. */
  readonly context?: string | undefined;
  /** Static evaluation context added under the caller's (flagd's context enrichment); see HeliosProviderOptions. */
  readonly staticContext?: EvaluationContext;
  /** How long `initialize` waits for the first list before failing (default 30 s). */
  readonly syncTimeoutMs?: number;
  /** How long the watch may stay lost (PROVIDER_STALE) before PROVIDER_ERROR (default 30 s); see HeliosProviderOptions. */
  readonly staleErrorAfterMs?: number;
  readonly log?: Logger;
}

/**
 * A HeliosProvider for the cluster kubectl would use; hand it to `OpenFeature.setProviderAndWait`.
 * @throws KubeconfigError when no kubeconfig or service account is found or it is unusable.
 */
export async function connectHeliosProvider(options: ConnectHeliosProviderOptions = {}): Promise<HeliosProvider> {
  const loaded = await loadClusterAccess({ kubeconfig: options.kubeconfig, context: options.context, env: process.env });
  return new HeliosProvider({
    namespace: options.namespace ?? loaded.namespace ?? "default",
    kubeConfig: loaded.access,
    ...(options.staticContext === undefined ? {} : { staticContext: options.staticContext }),
    ...(options.syncTimeoutMs === undefined ? {} : { syncTimeoutMs: options.syncTimeoutMs }),
    ...(options.staleErrorAfterMs === undefined ? {} : { staleErrorAfterMs: options.staleErrorAfterMs }),
    ...(options.log ? { log: options.log } : {}),
  });
}
