# Shared settings of the ci/kind scripts (sourced, not run). Override any of them from the environment.
# shellcheck shell=bash
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export REPO_ROOT
export KIND_CLUSTER="${KIND_CLUSTER:-taxi}"
export KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:v1.33.1}"
export HELMFILE_ENV="${HELMFILE_ENV:-kind}"
export NAMESPACE="${NAMESPACE:-taxi}"
export RELEASE="${RELEASE:-taxi}"
export ARTIFACTS="${ARTIFACTS:-$REPO_ROOT/target/kind-artifacts}"
export KUBECONFIG="${KUBECONFIG:-$REPO_ROOT/target/kind-kubeconfig}"

mvn_prop() { # the image names come from the Maven properties, like the chart's values
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$REPO_ROOT/pom.xml" | head -1
}
IMAGE_REGISTRY="$(mvn_prop image.registry)"
IMAGE_TAG="$(mvn_prop image.tag)"
export PRODUCER_IMAGE="$IMAGE_REGISTRY/taxi-producer:$IMAGE_TAG"
export STREAMING_IMAGE="$IMAGE_REGISTRY/taxi-streaming-job:$IMAGE_TAG"

log() { printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

require() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "missing tools: ${missing[*]} (see ci/kind/README.md)" >&2
    exit 2
  fi
}
