#!/usr/bin/env bash
# Build both images with Jib into the local Docker daemon (production bases), then load them into kind.
source "$(dirname "$0")/lib.sh"
require docker kind
cd "$REPO_ROOT"
log "building the modules (tests skipped: run ./mvnw verify separately)"
./mvnw -q -DskipTests install
log "jib:dockerBuild $PRODUCER_IMAGE and $STREAMING_IMAGE"
./mvnw -q -pl apps/producer,apps/streaming-job jib:dockerBuild
for image in "$PRODUCER_IMAGE" "$STREAMING_IMAGE"; do
  docker image inspect "$image" >/dev/null
done
log "loading the images into kind (values/kind.yaml uses pullPolicy: Never)"
kind load docker-image "$PRODUCER_IMAGE" "$STREAMING_IMAGE" --name "$KIND_CLUSTER"
