#!/usr/bin/env bash
# Create the kind cluster (idempotent).
source "$(dirname "$0")/lib.sh"
require kind kubectl docker
mkdir -p "$(dirname "$KUBECONFIG")"
if kind get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
  log "kind cluster $KIND_CLUSTER exists"
  kind export kubeconfig --name "$KIND_CLUSTER" --kubeconfig "$KUBECONFIG"
else
  log "creating kind cluster $KIND_CLUSTER ($KIND_NODE_IMAGE)"
  kind create cluster --name "$KIND_CLUSTER" --image "$KIND_NODE_IMAGE" \
    --config "$REPO_ROOT/ci/kind/kind-config.yaml" --kubeconfig "$KUBECONFIG" --wait 180s
fi
kubectl get nodes -o wide
