{{/*
Chart name, truncated to 63 characters (a DNS label).
*/}}
{{- define "taxi-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Base name of every object. Truncated to 26 characters, not 63, because the operators append
suffixes to the names we give them and the results must stay valid DNS labels / label values:
k8ssandra's StatefulSet "<cluster>-<dc>-default-sts" plus the 11-character controller-revision-hash
suffix, and its "<cluster>-<dc>-additional-seed-service" (37 characters after the base name with a
3-character datacenter name); Strimzi's "<kafka>-entity-operator", "<kafka>-cluster-ca-cert".
kube-prometheus-stack truncates its base name to 26 for the same reason.
*/}}
{{- define "taxi-platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 26 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 26 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 26 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "taxi-platform.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full label set. Call with (dict "ctx" $ "component" "producer").
*/}}
{{- define "taxi-platform.labels" -}}
helm.sh/chart: {{ include "taxi-platform.chart" .ctx }}
{{ include "taxi-platform.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: {{ include "taxi-platform.name" .ctx }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels: never a version (selectors are immutable). Call with (dict "ctx" $ "component" "x").
*/}}
{{- define "taxi-platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "taxi-platform.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* ---------- Names that cross component boundaries (used by apps, tests and monitoring) ---------- */}}

{{/* Strimzi Kafka cluster name (the Kafka CR). */}}
{{- define "taxi-platform.kafka.name" -}}
{{- include "taxi-platform.fullname" . }}
{{- end }}

{{/* Bootstrap address the apps use: Strimzi's "<kafka>-kafka-bootstrap" service, plain 9092 or TLS 9093. */}}
{{- define "taxi-platform.kafka.bootstrap" -}}
{{- printf "%s-kafka-bootstrap:%d" (include "taxi-platform.kafka.name" .) (ternary 9093 9092 .Values.kafka.tls.enabled) }}
{{- end }}

{{/* Strimzi cluster CA certificate secret (ca.p12, ca.password, ca.crt). */}}
{{- define "taxi-platform.kafka.clusterCaSecret" -}}
{{- printf "%s-cluster-ca-cert" (include "taxi-platform.kafka.name" .) }}
{{- end }}

{{/* KafkaUser names; the User Operator creates a Secret of the same name (key "password"). */}}
{{- define "taxi-platform.kafka.producerUser" -}}
{{- printf "%s-producer" (include "taxi-platform.fullname" .) }}
{{- end }}
{{- define "taxi-platform.kafka.streamingUser" -}}
{{- printf "%s-streaming" (include "taxi-platform.fullname" .) }}
{{- end }}

{{/* Kafka security protocol the apps use (KAFKA_SECURITY_PROTOCOL). */}}
{{- define "taxi-platform.kafka.securityProtocol" -}}
{{- $auth := .Values.kafka.authentication.enabled }}
{{- $tls := .Values.kafka.tls.enabled }}
{{- if and $auth $tls }}SASL_SSL{{ else if $auth }}SASL_PLAINTEXT{{ else if $tls }}SSL{{ else }}PLAINTEXT{{ end }}
{{- end }}

{{/* K8ssandraCluster name. */}}
{{- define "taxi-platform.cassandra.name" -}}
{{- include "taxi-platform.fullname" . }}
{{- end }}

{{/* CQL service created by cass-operator: "<cluster>-<dc>-service", port 9042. */}}
{{- define "taxi-platform.cassandra.contactPoints" -}}
{{- printf "%s-%s-service:9042" (include "taxi-platform.cassandra.name" .) .Values.cassandra.datacenter }}
{{- end }}

{{/* Superuser secret created by k8ssandra-operator: "<cluster>-superuser" (username, password). */}}
{{- define "taxi-platform.cassandra.superuserSecret" -}}
{{- printf "%s-superuser" (include "taxi-platform.cassandra.name" .) }}
{{- end }}

{{/* Component object names. */}}
{{- define "taxi-platform.producer.fullname" -}}
{{- printf "%s-producer" (include "taxi-platform.fullname" .) }}
{{- end }}
{{- define "taxi-platform.streaming.fullname" -}}
{{- printf "%s-streaming" (include "taxi-platform.fullname" .) }}
{{- end }}

{{/* Service account names. */}}
{{- define "taxi-platform.producer.serviceAccountName" -}}
{{- if .Values.producer.serviceAccount.create }}
{{- default (include "taxi-platform.producer.fullname" .) .Values.producer.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.producer.serviceAccount.name }}
{{- end }}
{{- end }}
{{- define "taxi-platform.streaming.serviceAccountName" -}}
{{- if .Values.streaming.serviceAccount.create }}
{{- default (printf "%s-spark" (include "taxi-platform.fullname" .)) .Values.streaming.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.streaming.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference. Call with (dict "image" .Values.images.producer). */}}
{{- define "taxi-platform.image" -}}
{{- printf "%s/%s:%s" .image.registry .image.repository (toString .image.tag) }}
{{- end }}
