// Finding the operator's cluster: --kubeconfig, $KUBECONFIG, ~/.kube/config, then the pod's service account.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { ClusterAccess } from "../client/index.js";
import { KubeconfigError } from "./errors.js";
import { inClusterAccess, inClusterAvailable, inClusterNamespace, SERVICE_ACCOUNT_DIR } from "./in-cluster.js";
import { accessFromFiles } from "./kubeconfig-file.js";

export interface LoadClusterAccessOptions {
  /** An explicit kubeconfig file (`--kubeconfig`): it must exist. */
  readonly kubeconfig?: string | undefined;
  /** A context other than the current one. */
  readonly context?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the service account is mounted (tests). */
  readonly serviceAccountDir?: string;
}

export interface LoadedClusterAccess {
  readonly access: ClusterAccess;
  /** The kubeconfig files read, or `in-cluster`: for start-up logs. */
  readonly source: string;
  /** `client-node` when the kubeconfig needed what only client-node implements. */
  readonly loader: "light" | "client-node";
  /** Why client-node was loaded (e.g. `user "u" uses exec`). */
  readonly reason?: string;
  /** The context's namespace, or the pod's own in a cluster; undefined when neither names one. */
  readonly namespace?: string;
}

/**
 * Loads the cluster to talk to, in kubectl's order: `kubeconfig`, else every existing file of
 * `$KUBECONFIG` (merged, first wins), else `~/.kube/config`, else the pod's service account.
 *
 * Client certificates, tokens and token files, CAs and insecure-skip-tls-verify are handled here.
 * Anything else (exec credential plugins, auth-provider, basic auth, impersonation, proxy-url) is
 * handed to @kubernetes/client-node, imported only then: it costs ~85 MB of memory to load
 * (it brings every generated API), which an operator with a plain kubeconfig or a service account
 * should not pay, while a kubeconfig that worked before must keep working.
 * @throws KubeconfigError when no kubeconfig or service account is found or it is unusable.
 */
export async function loadClusterAccess(options: LoadClusterAccessOptions): Promise<LoadedClusterAccess> {
  const { files, looked } = kubeconfigFiles(options);
  if (files.length === 0) {
    const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
    if (!inClusterAvailable(options.env, dir)) {
      throw new KubeconfigError(`no kubeconfig found (looked at ${[...looked, dir].join(", ")}): pass --kubeconfig or set KUBECONFIG`);
    }
    if (options.context !== undefined) throw new KubeconfigError(`context ${JSON.stringify(options.context)} needs a kubeconfig; none was found`, { flag: "--context" });
    return { access: inClusterAccess(options.env, dir), source: "in-cluster", loader: "light", ...inClusterNamespace(dir) };
  }
  const source = files.join(", ");
  const light = accessFromFiles(files, options.context);
  const namespace = light.namespace === undefined ? {} : { namespace: light.namespace };
  if (light.kind === "light") return { access: light.access, source, loader: "light", ...namespace };
  return { access: await clientNodeAccess(files, options.context), source, loader: "client-node", reason: light.reason, ...namespace };
}

/**
 * The kubeconfig files in kubectl's order: `kubeconfig`, else every existing file of `$KUBECONFIG`,
 * else `~/.kube/config`; `looked` says where it searched. The operator and the CLI both use it.
 * @throws KubeconfigError when an explicit `kubeconfig` does not exist.
 */
export function kubeconfigFiles(options: Pick<LoadClusterAccessOptions, "kubeconfig" | "env">): { files: string[]; looked: string[] } {
  if (options.kubeconfig !== undefined) {
    if (!existsSync(options.kubeconfig)) throw new KubeconfigError(`cannot read kubeconfig ${options.kubeconfig}: no such file`);
    return { files: [options.kubeconfig], looked: [options.kubeconfig] };
  }
  const fromEnv = (options.env["KUBECONFIG"] ?? "").split(delimiter).filter((p) => p !== "");
  const home = options.env["HOME"] ?? options.env["USERPROFILE"];
  const looked = fromEnv.length > 0 ? fromEnv : home === undefined ? [] : [join(home, ".kube", "config")];
  return { files: looked.filter((p) => existsSync(p)), looked };
}

/** The same files and context through client-node (merged the same way, first name wins). */
async function clientNodeAccess(files: readonly string[], context: string | undefined): Promise<ClusterAccess> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const merged = new KubeConfig();
  for (const file of files) {
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    merged.loadFromOptions({
      clusters: [...merged.getClusters(), ...kc.getClusters().filter((c) => !merged.getCluster(c.name))],
      users: [...merged.getUsers(), ...kc.getUsers().filter((u) => !merged.getUser(u.name))],
      contexts: [...merged.getContexts(), ...kc.getContexts().filter((c) => !merged.getContextObject(c.name))],
      currentContext: merged.getCurrentContext() || kc.getCurrentContext(),
    });
  }
  if (context !== undefined) merged.setCurrentContext(context);
  return merged;
}
