#!/usr/bin/env bash
# cert-manager -> operators -> platform, in one helmfile run (docs/install-topology.md).
source "$(dirname "$0")/lib.sh"
require helmfile helm kubectl
cd "$REPO_ROOT"
log "helmfile -e $HELMFILE_ENV sync"
helmfile -e "$HELMFILE_ENV" sync
log "waiting for the platform's resources"
kubectl -n "$NAMESPACE" wait "kafka/$(kubectl -n "$NAMESPACE" get kafka -o jsonpath='{.items[0].metadata.name}')" \
  --for=condition=Ready --timeout=15m
kubectl -n "$NAMESPACE" wait "k8ssandracluster/$(kubectl -n "$NAMESPACE" get k8ssandracluster -o jsonpath='{.items[0].metadata.name}')" \
  --for=condition=CassandraInitialized --timeout=20m
app="$(kubectl -n "$NAMESPACE" get sparkapplication -o jsonpath='{.items[0].metadata.name}')"
for _ in $(seq 1 90); do
  state="$(kubectl -n "$NAMESPACE" get sparkapplication "$app" -o jsonpath='{.status.applicationState.state}' 2>/dev/null || true)"
  echo "SparkApplication $app: ${state:-<none>}"
  [ "$state" = "RUNNING" ] && break
  case "$state" in FAILED|SUBMISSION_FAILED) echo "streaming job failed to start" >&2; exit 1 ;; esac
  sleep 10
done
[ "$state" = "RUNNING" ] || { echo "streaming job not RUNNING after 15 minutes" >&2; exit 1; }
kubectl -n "$NAMESPACE" wait deployment -l "app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component=producer" \
  --for=condition=Available --timeout=5m
