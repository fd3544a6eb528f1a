// Pinned versions of the local control plane and where their built binaries are cached.
import { homedir } from "node:os";
import { join } from "node:path";

export const KUBERNETES_VERSION = "v1.36.3";
export const ETCD_VERSION = "v3.6.8";
export const HELM_VERSION = "v3.22.0";

/** Outside the repository, so a fresh clone reuses what an earlier run built. */
export const CACHE_DIR = process.env.HELIOS_CACHE_DIR ?? join(homedir(), ".cache", "helios");

export interface BinarySpec {
  /** Cache folder name, keyed by version so an upgrade builds anew. */
  readonly key: string;
  /** Wrapper module under hack/go/ that pins the version. */
  readonly module: string;
  /** Go package path → executable name. */
  readonly packages: Readonly<Record<string, string>>;
  readonly ldflags: string;
  readonly tags?: string;
}

function versionLdflags(pkgs: readonly string[], version: string): string {
  const [major, minor] = version.replace(/^v/, "").split(".");
  return pkgs
    .map((p) => `-X ${p}.gitVersion=${version} -X ${p}.gitMajor=${major} -X ${p}.gitMinor=${minor} -X ${p}.gitTreeState=clean`)
    .join(" ");
}

export const BINARIES: readonly BinarySpec[] = [
  {
    key: `kubernetes-${KUBERNETES_VERSION}`,
    module: "kubernetes",
    packages: {
      "k8s.io/kubernetes/cmd/kube-apiserver": "kube-apiserver",
      "k8s.io/kubernetes/cmd/kube-controller-manager": "kube-controller-manager",
      "k8s.io/kubernetes/cmd/kubectl": "kubectl",
    },
    // Without the version stamp /version says v0.0.0 and helm's kubeVersion checks misfire.
    ldflags: `-s -w ${versionLdflags(["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"], KUBERNETES_VERSION)}`,
    tags: "selinux,notest,grpcnotrace",
  },
  {
    key: `etcd-${ETCD_VERSION}`,
    module: "etcd",
    packages: { "go.etcd.io/etcd/server/v3": "etcd" },
    ldflags: "-s -w",
  },
  {
    key: `helm-${HELM_VERSION}`,
    module: "helm",
    packages: { "helm.sh/helm/v3/cmd/helm": "helm" },
    // Otherwise `helm template` assumes Kubernetes 1.20.
    ldflags: `-s -w -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${KUBERNETES_VERSION.split(".")[1]}`,
  },
];

export interface BinaryPaths {
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
  readonly etcd: string;
  readonly helm: string;
}

export function binaryPaths(cacheDir = CACHE_DIR): BinaryPaths {
  const k8s = join(cacheDir, `kubernetes-${KUBERNETES_VERSION}`);
  return {
    kubeApiserver: join(k8s, "kube-apiserver"),
    kubeControllerManager: join(k8s, "kube-controller-manager"),
    kubectl: join(k8s, "kubectl"),
    etcd: join(cacheDir, `etcd-${ETCD_VERSION}`, "etcd"),
    helm: join(cacheDir, `helm-${HELM_VERSION}`, "helm"),
  };
}
