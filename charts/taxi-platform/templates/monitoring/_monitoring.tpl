{{/*
Helpers of the monitoring objects (templates/monitoring/, templates/grafana/).
Dashboards, alerts and runbook: docs/observability.md.
*/}}

{{/*
Labels of every PodMonitor / PrometheusRule / k8ssandra ServiceMonitor. `release: <release>` is
what kube-prometheus-stack's Prometheus selects when its *SelectorNilUsesHelmValues are true and
its selectors are empty (kube-prometheus-stack templates/prometheus/prometheus.yaml); see the
`kube-prometheus-stack` values. Call with (dict "ctx" $ "component" "x").
*/}}
{{- define "taxi-platform.monitoring.labels" -}}
{{ include "taxi-platform.labels" . }}
{{ include "taxi-platform.monitoring.selectionLabels" .ctx }}
{{- end }}

{{/* Only the labels a Prometheus selects on (also k8ssandra telemetry commonLabels). */}}
{{- define "taxi-platform.monitoring.selectionLabels" -}}
release: {{ .Release.Name | quote }}
{{- with .Values.monitoring.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* ConfigMap holding the JMX Prometheus exporter rules of the Kafka nodes. */}}
{{- define "taxi-platform.monitoring.kafkaMetricsConfigMap" -}}
{{- printf "%s-kafka-metrics" (include "taxi-platform.fullname" .) }}
{{- end }}

{{/* Key of the rules inside that ConfigMap. */}}
{{- define "taxi-platform.monitoring.kafkaMetricsConfigKey" -}}
kafka-metrics-config.yml
{{- end }}

{{/*
For the Kafka CR, under `spec.kafka` (Strimzi 1.2.0 CRD: KafkaClusterSpec.metricsConfig):
  {{- include "taxi-platform.monitoring.kafkaMetricsConfig" . | nindent 4 }}
Renders nothing when Kafka monitoring is off.
*/}}
{{- define "taxi-platform.monitoring.kafkaMetricsConfig" -}}
{{- if and .Values.monitoring.enabled .Values.monitoring.kafka.enabled }}
metricsConfig:
  type: jmxPrometheusExporter
  valueFrom:
    configMapKeyRef:
      name: {{ include "taxi-platform.monitoring.kafkaMetricsConfigMap" . }}
      key: {{ include "taxi-platform.monitoring.kafkaMetricsConfigKey" . }}
{{- end }}
{{- end }}

{{/*
The Kafka Exporter's topic regex: exactly the topics of kafka.topics (their names quoted), e.g.
^(taxi\.trips|taxi\.trips\.dlq)$. Derived, never set apart: a renamed topic stays in the lag panels
and alerts.
*/}}
{{- define "taxi-platform.monitoring.kafkaExporterTopicRegex" -}}
{{- $names := list }}
{{- range $key := keys .Values.kafka.topics | sortAlpha }}
{{- $names = append $names (regexQuoteMeta (index $.Values.kafka.topics $key).name) }}
{{- end }}
{{- printf "^(%s)$" (join "|" $names) }}
{{- end }}

{{/*
For the Kafka CR, under `spec` (Strimzi 1.2.0 CRD: KafkaSpec.kafkaExporter):
  {{- include "taxi-platform.monitoring.kafkaExporter" . | nindent 2 }}
*/}}
{{- define "taxi-platform.monitoring.kafkaExporter" -}}
{{- $k := .Values.monitoring.kafka }}
{{- if and .Values.monitoring.enabled $k.enabled $k.exporter.enabled }}
kafkaExporter:
  topicRegex: {{ include "taxi-platform.monitoring.kafkaExporterTopicRegex" . | quote }}
  groupRegex: {{ $k.exporter.groupRegex | quote }}
  resources:
    {{- toYaml $k.exporter.resources | nindent 4 }}
{{- end }}
{{- end }}

{{/*
For the K8ssandraCluster, under `spec.cassandra` (k8ssandra-operator 1.32.5 CRD:
telemetry.prometheus.{enabled,commonLabels}, telemetry.mcac.enabled). With MCAC off the operator
creates a ServiceMonitor "<cluster>-<dc>-cass-servicemonitor" on the management API's `metrics`
port (9000, /metrics) carrying commonLabels (pkg/telemetry/prom_cass_servicemonitor.go). MCAC does
not run on Cassandra 5.0.
  {{- include "taxi-platform.monitoring.cassandraTelemetry" . | nindent 4 }}
*/}}
{{- define "taxi-platform.monitoring.cassandraTelemetry" -}}
{{- if and .Values.monitoring.enabled .Values.monitoring.cassandra.enabled }}
telemetry:
  mcac:
    enabled: false
  prometheus:
    enabled: true
    commonLabels:
      {{- include "taxi-platform.monitoring.selectionLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/*
kube-prometheus-stack's fullname, computed as that chart does (its _helpers.tpl,
"kube-prometheus-stack.fullname", truncated to 26): the Prometheus service is "<that>-prometheus".
*/}}
{{- define "taxi-platform.monitoring.kpsFullname" -}}
{{- $kps := index .Values "kube-prometheus-stack" }}
{{- if $kps.fullnameOverride }}
{{- $kps.fullnameOverride | trunc 26 | trimSuffix "-" }}
{{- else }}
{{- $name := default "kube-prometheus-stack" $kps.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 26 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 26 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* URL of the Prometheus datasource (Grafana runs in the release namespace, as Prometheus). */}}
{{- define "taxi-platform.monitoring.prometheusUrl" -}}
{{- if .Values.monitoring.grafana.prometheusUrl }}
{{- .Values.monitoring.grafana.prometheusUrl }}
{{- else }}
{{- printf "http://%s-prometheus:9090" (include "taxi-platform.monitoring.kpsFullname" .) }}
{{- end }}
{{- end }}

{{/* runbook_url of an alert. Call with (dict "ctx" $ "anchor" "taxipipelinestalled"). */}}
{{- define "taxi-platform.monitoring.runbook" -}}
{{- printf "%s#%s" (trimSuffix "/" .ctx.Values.monitoring.rules.runbookBaseUrl) .anchor }}
{{- end }}
