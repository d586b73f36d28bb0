#!/usr/bin/env bash
# helm test: connectivity check, then uniquely marked trips through Kafka -> Spark -> Cassandra.
source "$(dirname "$0")/lib.sh"
require helm
log "helm test $RELEASE"
helm test "$RELEASE" -n "$NAMESPACE" --logs --timeout 12m
