{{/*
Selectors and rules shared by the NetworkPolicies (networkpolicies.yaml). Pod labels used:
  - this chart's pods: taxi-platform.selectorLabels (app.kubernetes.io/name, instance, component);
    Spark pods also carry taxi-platform/spark-role (driver|executor);
  - Kafka (Strimzi 1.2.0, operator-common Labels): every pod of the cluster has
    strimzi.io/cluster=<kafka>; brokers strimzi.io/broker-role=true; the entity operator
    strimzi.io/name=<kafka>-entity-operator;
  - Cassandra (cass-operator): cassandra.datastax.com/cluster=<cluster name> (the K8ssandraCluster's name);
  - Grafana (grafana chart): app.kubernetes.io/name=grafana, app.kubernetes.io/instance=<release>.
*/}}

{{/* podSelector of this chart's pods with one of the components in .components. */}}
{{- define "taxi-platform.np.own" -}}
matchLabels:
  app.kubernetes.io/name: {{ include "taxi-platform.name" .ctx }}
  app.kubernetes.io/instance: {{ .ctx.Release.Name }}
matchExpressions:
  - key: app.kubernetes.io/component
    operator: In
    values: {{ toJson .components }}
{{- end }}

{{/* podSelector of the Spark pods of one role (driver|executor), every pipeline version. */}}
{{- define "taxi-platform.np.spark" -}}
matchLabels:
  {{- include "taxi-platform.selectorLabels" (dict "ctx" .ctx "component" "streaming") | nindent 2 }}
  taxi-platform/spark-role: {{ .role }}
{{- end }}

{{- define "taxi-platform.np.kafkaPods" -}}
matchLabels:
  strimzi.io/cluster: {{ include "taxi-platform.kafka.name" . }}
{{- end }}

{{- define "taxi-platform.np.kafkaBrokers" -}}
matchLabels:
  strimzi.io/cluster: {{ include "taxi-platform.kafka.name" . }}
  strimzi.io/broker-role: "true"
{{- end }}

{{- define "taxi-platform.np.cassandraPods" -}}
matchLabels:
  cassandra.datastax.com/cluster: {{ include "taxi-platform.cassandra.name" . }}
{{- end }}

{{- define "taxi-platform.np.grafanaPods" -}}
matchLabels:
  app.kubernetes.io/name: grafana
  app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The Kafka listener port of the apps (plain 9092 or TLS 9093). */}}
{{- define "taxi-platform.np.kafkaPort" -}}
{{- ternary 9093 9092 .Values.kafka.tls.enabled }}
{{- end }}

{{/* The clients of the apps' Kafka listener: the listener's networkPolicyPeers (kafka.yaml). */}}
{{- define "taxi-platform.np.kafkaClients" -}}
- podSelector:
    {{- include "taxi-platform.np.own" (dict "ctx" . "components" (list "producer" "streaming" "test-check" "test-smoke")) | nindent 4 }}
{{- end }}

{{/* Egress rule: cluster DNS (UDP and TCP 53). */}}
{{- define "taxi-platform.np.dnsEgress" -}}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicies.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicies.dns.podSelector | nindent 8 }}
  ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
{{- end }}

{{/* Egress rule: the Kubernetes API server (networkPolicies.kubernetesApi). */}}
{{- define "taxi-platform.np.apiEgress" -}}
{{- $api := .Values.networkPolicies.kubernetesApi }}
{{- if not $api.cidrs }}
{{- fail "networkPolicies.kubernetesApi.cidrs is empty: list the CIDRs of the Kubernetes API server endpoints (kubectl get endpoints kubernetes -n default), or 0.0.0.0/0" }}
{{- end }}
{{- if not $api.ports }}
{{- fail "networkPolicies.kubernetesApi.ports is empty: list the API server's port(s) (kubectl get endpoints kubernetes -n default)" }}
{{- end }}
- to:
    {{- range $api.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    {{- range $api.ports }}
    - {port: {{ . }}, protocol: TCP}
    {{- end }}
{{- end }}

{{/* Egress rule: the apps' Kafka listener on the brokers. */}}
{{- define "taxi-platform.np.kafkaEgress" -}}
{{- if .Values.kafka.enabled }}
- to:
    - podSelector:
        {{- include "taxi-platform.np.kafkaBrokers" . | nindent 8 }}
  ports:
    - {port: {{ include "taxi-platform.np.kafkaPort" . }}, protocol: TCP}
{{- end }}
{{- end }}

{{/* Egress rule: CQL (9042) on the Cassandra pods. */}}
{{- define "taxi-platform.np.cassandraEgress" -}}
{{- if .Values.cassandra.enabled }}
- to:
    - podSelector:
        {{- include "taxi-platform.np.cassandraPods" . | nindent 8 }}
  ports:
    - {port: 9042, protocol: TCP}
{{- end }}
{{- end }}

{{/* Ingress peer: the Prometheus that scrapes the platform. */}}
{{- define "taxi-platform.np.prometheusPeer" -}}
- {{- toYaml .Values.networkPolicies.prometheus | nindent 2 }}
{{- end }}
