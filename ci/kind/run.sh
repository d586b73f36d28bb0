#!/usr/bin/env bash
# End to end on a laptop with Docker: kind cluster -> images (Jib) -> helmfile -e kind sync ->
# helm test; diagnostics on failure; the cluster is deleted at the end unless KEEP_CLUSTER=1.
#   bash ci/kind/run.sh
source "$(dirname "$0")/lib.sh"
require docker kind kubectl helm helmfile java
here="$(dirname "$0")"
status=0
finish() {
  status=$?
  if [ "$status" != 0 ]; then
    log "FAILED (exit $status)"
    bash "$here/collect.sh" || true
  fi
  if [ "${KEEP_CLUSTER:-0}" = 1 ]; then
    log "KEEP_CLUSTER=1: cluster $KIND_CLUSTER kept (KUBECONFIG=$KUBECONFIG); bash ci/kind/down.sh removes it"
  else
    bash "$here/down.sh" || true
  fi
  exit "$status"
}
trap finish EXIT
bash "$here/up.sh"
bash "$here/build-images.sh"
bash "$here/deploy.sh"
bash "$here/test.sh"
log "PASSED: helm test $RELEASE succeeded on kind"
