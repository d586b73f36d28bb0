#!/usr/bin/env bash
# Collect what explains a failure: events, resources, pod logs (current and previous), operator logs.
source "$(dirname "$0")/lib.sh"
require kubectl
set +e
mkdir -p "$ARTIFACTS"
log "collecting diagnostics into $ARTIFACTS"
kubectl get nodes -o wide > "$ARTIFACTS/nodes.txt" 2>&1
kubectl describe nodes > "$ARTIFACTS/nodes-describe.txt" 2>&1
for ns in "$NAMESPACE" cert-manager; do
  kubectl -n "$ns" get all,pvc,secrets,configmaps -o wide > "$ARTIFACTS/$ns-resources.txt" 2>&1
  kubectl -n "$ns" get events --sort-by=.lastTimestamp > "$ARTIFACTS/$ns-events.txt" 2>&1
  for pod in $(kubectl -n "$ns" get pods -o name 2>/dev/null); do
    name="${pod#pod/}"
    kubectl -n "$ns" describe "$pod" > "$ARTIFACTS/$ns-$name-describe.txt" 2>&1
    kubectl -n "$ns" logs "$pod" --all-containers --prefix > "$ARTIFACTS/$ns-$name.log" 2>&1
    kubectl -n "$ns" logs "$pod" --all-containers --prefix --previous > "$ARTIFACTS/$ns-$name-previous.log" 2>/dev/null
  done
done
kubectl -n "$NAMESPACE" get kafka,kafkanodepool,kafkatopic,kafkauser,k8ssandracluster,cassandradatacenter,sparkapplication -o yaml \
  > "$ARTIFACTS/custom-resources.yaml" 2>&1
helm list -A > "$ARTIFACTS/helm-releases.txt" 2>&1
echo "diagnostics in $ARTIFACTS"
