// The pod's own service account: apiserver address from the environment, CA and rotating token from the mounted files.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KubeconfigError } from "./errors.js";
import { TlsAccess } from "./tls-access.js";

/** Where the kubelet mounts the service account's token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

type Env = Readonly<Record<string, string | undefined>>;

/** True in a pod with a service account token (client-go's InClusterConfig preconditions). */
export function inClusterAvailable(env: Env, dir = SERVICE_ACCOUNT_DIR): boolean {
  return Boolean(env["KUBERNETES_SERVICE_HOST"]) && Boolean(env["KUBERNETES_SERVICE_PORT"]) && existsSync(join(dir, "token"));
}

/**
 * Access as the pod's service account. The token file is re-read as the kubelet rotates it.
 * @throws KubeconfigError outside a pod or when the CA cannot be read.
 */
export function inClusterAccess(env: Env, dir = SERVICE_ACCOUNT_DIR): TlsAccess {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  if (!host || !port) throw new KubeconfigError("not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset");
  let ca: Buffer;
  try {
    ca = readFileSync(join(dir, "ca.crt"));
  } catch (err) {
    throw new KubeconfigError(`cannot read the service account CA in ${dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // An IPv6 service host needs brackets in a URL (Go's net.JoinHostPort).
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new TlsAccess({ server, ca, tokenFile: join(dir, "token") });
}

/** The pod's namespace from the mounted service account, when the file is there. */
export function inClusterNamespace(dir = SERVICE_ACCOUNT_DIR): { readonly namespace?: string } {
  try {
    const namespace = readFileSync(join(dir, "namespace"), "utf8").trim();
    return namespace === "" ? {} : { namespace };
  } catch {
    return {};
  }
}
