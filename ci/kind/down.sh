#!/usr/bin/env bash
# Delete the kind cluster (everything in it goes with it).
source "$(dirname "$0")/lib.sh"
require kind
log "deleting kind cluster $KIND_CLUSTER"
kind delete cluster --name "$KIND_CLUSTER"
