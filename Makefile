# Shortcuts for the documented commands (README.md, CONTRIBUTING.md, docs/install-topology.md).
# Every recipe line is a command those documents give; RepositoryFilesTest checks it.
.PHONY: help local test images kind lint helm-repos

help:
	@echo "targets: local test images kind lint helm-repos"

# The whole pipeline on this machine (real Kafka, Cassandra, Spark local mode; Ctrl-C stops it).
local:
	./mvnw -q -Plocal -pl apps/local-services -am package -DskipTests -Dimages.skip=true

# Unit and integration tests, the chart's offline verification and the images.
test:
	./mvnw verify

# Both images into the local Docker daemon (Jib), after installing the modules.
images:
	./mvnw -B -ntp -DskipTests install
	./mvnw -pl apps/producer,apps/streaming-job jib:dockerBuild

# kind cluster -> images -> helmfile -e kind sync -> helm test (needs Docker, kind, helm, helmfile).
kind:
	bash ci/kind/run.sh

# The chart's offline verification: helm lint/template, schemas, wiring, promtool.
lint:
	./mvnw -B -ntp -pl charts/chart-tests verify -Dtaxi.require.promtool=true

# `helm repo add` for every chart repository of Chart.yaml and helmfile.yaml.
helm-repos:
	bash ci/helm-repos.sh
