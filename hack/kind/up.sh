#!/usr/bin/env bash
# Helios on a real cluster for users with Docker: kind cluster, image build and load, helm install, samples.
#
# Usage: hack/kind/up.sh            (re-running reuses the cluster and upgrades the release)
# Environment: CLUSTER_NAME (helios), IMAGE (helios:dev), NAMESPACE (helios-system),
#              DEMO_NAMESPACE (helios-demo), KIND_NODE_IMAGE (kind's default; Kubernetes >= 1.34 needed).
set -euo pipefail

CLUSTER_NAME="${CLUSTER_NAME:-helios}"
IMAGE="${IMAGE:-helios:dev}"
NAMESPACE="${NAMESPACE:-helios-system}"
DEMO_NAMESPACE="${DEMO_NAMESPACE:-helios-demo}"
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONTEXT="kind-${CLUSTER_NAME}"

say() { printf '\033[1m[helios]\033[0m %s\n' "$*"; }
die() { printf '[helios] error: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required: $2"; }

need docker "https://docs.docker.com/get-docker/"
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
need helm "https://helm.sh/docs/intro/install/"
docker info >/dev/null 2>&1 || die "the Docker engine is not running"

case "${IMAGE}" in
  *:*) IMAGE_REPOSITORY="${IMAGE%:*}" IMAGE_TAG="${IMAGE##*:}" ;;
  *) die "IMAGE must be repository:tag, got ${IMAGE}" ;;
esac

if kind get clusters 2>/dev/null | grep -qx "${CLUSTER_NAME}"; then
  say "reusing kind cluster ${CLUSTER_NAME}"
else
  say "creating kind cluster ${CLUSTER_NAME}"
  create_args=(create cluster --name "${CLUSTER_NAME}" --wait 120s)
  if [[ -n "${KIND_NODE_IMAGE}" ]]; then create_args+=(--image "${KIND_NODE_IMAGE}"); fi
  kind "${create_args[@]}"
fi

say "building image ${IMAGE}"
docker build --tag "${IMAGE}" "${ROOT}"
say "loading ${IMAGE} into the cluster's nodes"
kind load docker-image "${IMAGE}" --name "${CLUSTER_NAME}"

kubectl --context "${CONTEXT}" create namespace "${DEMO_NAMESPACE}" --dry-run=client --output yaml \
  | kubectl --context "${CONTEXT}" apply --filename -

# The image exists only on the nodes, so never pull it; the agent pool serves the demo namespace.
say "installing the chart into ${NAMESPACE}"
helm upgrade --install helios "${ROOT}/charts/helios" \
  --kube-context "${CONTEXT}" \
  --namespace "${NAMESPACE}" --create-namespace \
  --set image.repository="${IMAGE_REPOSITORY}" \
  --set image.tag="${IMAGE_TAG}" \
  --set image.pullPolicy=Never \
  --set agents.enabled=true \
  --set agents.namespace="${DEMO_NAMESPACE}" \
  --set "agents.capabilities={echo,sleep,fail}" \
  --set "agents.queues={default,batch}" \
  --set agents.maxConcurrency=2 \
  --wait --timeout 5m

# Samples name their namespaces; the control flags belong in the operator's namespace.
say "applying the samples"
if [[ "${NAMESPACE}" == "helios-system" ]]; then
  kubectl --context "${CONTEXT}" apply --filename "${ROOT}/manifests/samples/control-flags.yaml"
fi
if [[ "${DEMO_NAMESPACE}" == "helios-demo" ]]; then
  kubectl --context "${CONTEXT}" apply --filename "${ROOT}/manifests/samples/jobs.yaml"
  say "waiting for the sample echo job"
  kubectl --context "${CONTEXT}" --namespace "${DEMO_NAMESPACE}" wait --for=condition=Complete hjob/hello-echo --timeout=3m
fi

cat <<NEXT

Helios is running on kind cluster ${CLUSTER_NAME} (kubectl context ${CONTEXT}).

Next steps:
  kubectl --context ${CONTEXT} get helios -A
  kubectl --context ${CONTEXT} -n ${DEMO_NAMESPACE} get hjob -w
  kubectl --context ${CONTEXT} -n ${DEMO_NAMESPACE} get hagent
  kubectl --context ${CONTEXT} -n ${NAMESPACE} logs deployment/helios-operator -f
  kubectl --context ${CONTEXT} get haudit -A

The sample job routed by agentSelector (helios.dev/pool=fast) waits for an agent with that label.
Tear down with hack/kind/down.sh.
NEXT
