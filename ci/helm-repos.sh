#!/usr/bin/env bash
# Adds the Helm chart repositories this repository installs from, then updates them: exactly the
# `repository:` URLs of charts/taxi-platform/Chart.yaml's dependencies and the non-OCI
# `repositories:` of helmfile.yaml, under helmfile's names (HelmReposTest checks both lists).
# Run it once before `helm dependency build charts/taxi-platform` (Helm resolves a dependency's
# repository URL only through a repository added with `helm repo add`, helm/helm#7214).
# cert-manager comes from an OCI registry (oci://quay.io/jetstack/charts): no `helm repo add` needed.
#   bash ci/helm-repos.sh
set -euo pipefail
command -v helm >/dev/null || { echo "helm is required (https://helm.sh/docs/intro/install/)" >&2; exit 1; }

helm repo add strimzi https://strimzi.io/charts/ --force-update
helm repo add k8ssandra https://helm.k8ssandra.io/stable --force-update
helm repo add spark-operator https://kubeflow.github.io/spark-operator --force-update
helm repo add grafana-community https://grafana-community.github.io/helm-charts --force-update
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update
helm repo update strimzi k8ssandra spark-operator grafana-community prometheus-community
