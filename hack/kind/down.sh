#!/usr/bin/env bash
# Deletes the kind cluster made by hack/kind/up.sh (and everything in it).
# Environment: CLUSTER_NAME (helios).
set -euo pipefail

CLUSTER_NAME="${CLUSTER_NAME:-helios}"

command -v kind >/dev/null 2>&1 || { echo "[helios] error: kind is required" >&2; exit 1; }

if kind get clusters 2>/dev/null | grep -qx "${CLUSTER_NAME}"; then
  kind delete cluster --name "${CLUSTER_NAME}"
  echo "[helios] deleted kind cluster ${CLUSTER_NAME}"
else
  echo "[helios] no kind cluster named ${CLUSTER_NAME}"
fi
