// The cluster a long-running command (operator, agent, flags serve) talks to, found as kubectl finds it
// without loading @kubernetes/client-node unless the kubeconfig needs it.
import { KubeconfigError, loadClusterAccess, type LoadedClusterAccess } from "../runtime/kubeconfig/index.js";
import { UsageError } from "./command.js";

/**
 * `--kubeconfig` and `--context` (else $KUBECONFIG, ~/.kube/config, the pod's service account).
 * @throws UsageError naming the flag when the kubeconfig is missing or unusable.
 */
export async function loadCommandAccess(
  flags: { readonly kubeconfig?: string | undefined; readonly context?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): Promise<LoadedClusterAccess> {
  try {
    return await loadClusterAccess({ kubeconfig: flags.kubeconfig, context: flags.context, env });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new UsageError(`${err.flag}: ${err.message}`);
    throw err;
  }
}
