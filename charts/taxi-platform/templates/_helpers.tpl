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
{{- define "taxi-platform.kafka.testUser" -}}
{{- printf "%s-test" (include "taxi-platform.fullname" .) }}
{{- end }}

{{/*
Kafka consumer-group prefix of the streaming job (contract B of issue 9): KAFKA_GROUP_ID_PREFIX is
"<this>-<pipeline version>" (Spark's `groupIdPrefix`; Spark appends "-<uuid>-..." to it) and the job's
KafkaUser may Read the groups starting with this (a PREFIXED group ACL).
*/}}
{{- define "taxi-platform.kafka.groupIdPrefix" -}}
taxi-stream-
{{- end }}

{{/* Kafka ACLs are on: authentication and kafka.authorization.enabled. */}}
{{- define "taxi-platform.kafka.acls" -}}
{{- if and .Values.kafka.authentication.enabled .Values.kafka.authorization.enabled }}true{{ end }}
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

{{/*
Cassandra superuser Secret (username, password), created by k8ssandra-operator under the name the
K8ssandraCluster gives in spec.cassandra.superuserSecretRef (its default would be "<cluster>-superuser").
Built from the release name ONLY, never from fullnameOverride/nameOverride: the grafana subchart
calls this helper from its `tpl`-rendered grafana.envValueFrom (values.yaml), where `.` is the
grafana subchart's context (its own .Values and .Chart, the same .Release), so the name must not
depend on this chart's values. 63 - 20 characters of release name.
*/}}
{{- define "taxi-platform.cassandra.superuserSecret" -}}
{{- printf "%s-cassandra-superuser" (.Release.Name | trunc 43 | trimSuffix "-") }}
{{- end }}

{{/*
Credentials of the least-privilege Cassandra roles (cassandra.access): one Secret per role, keys
username and password, generated once and kept. Named from the release only: Grafana's envValueFrom
(rendered by the grafana subchart) names the reader's.
*/}}
{{- define "taxi-platform.cassandra.roleSecret" -}}
{{- printf "%s-cassandra-%s" (.ctx.Release.Name | trunc 43 | trimSuffix "-") .role }}
{{- end }}
{{- define "taxi-platform.cassandra.readerSecret" -}}
{{- include "taxi-platform.cassandra.roleSecret" (dict "ctx" . "role" "reader") }}
{{- end }}

{{/* Grafana admin Secret (admin-user, admin-password): grafana.admin.existingSecret, release name only. */}}
{{- define "taxi-platform.grafana.adminSecret" -}}
{{- printf "%s-grafana-admin" (.Release.Name | trunc 43 | trimSuffix "-") }}
{{- end }}

{{/*
A generated secret value that survives upgrades: the value of `key` in the existing Secret `name` of
the release namespace (`lookup`), else a new randAlphaNum of `length`. `lookup` needs a cluster: under
`helm template` or a client-side `--dry-run` it finds nothing, so each such render shows a new value
(what is applied by install/upgrade is the kept one). Call with
(dict "ctx" $ "name" "<secret>" "key" "password" "length" 32).
*/}}
{{- define "taxi-platform.keptRandom" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .name }}
{{- if and $existing $existing.data (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum (int .length) }}
{{- end }}
{{- end }}

{{/* Component object names. */}}
{{- define "taxi-platform.producer.fullname" -}}
{{- printf "%s-producer" (include "taxi-platform.fullname" .) }}
{{- end }}
{{- define "taxi-platform.streaming.fullname" -}}
{{- printf "%s-streaming" (include "taxi-platform.fullname" .) }}
{{- end }}

{{/*
SparkApplication of one pipeline version: "<fullname>-streaming-<version>", `_` turned into `-`
(Kubernetes names allow no `_`; versions allow no `-`, so two versions never share a name). With a
26-character base and a 16-character version, "<name>-driver" stays within 63 characters.
Call with (dict "ctx" $ "version" "v1").
*/}}
{{- define "taxi-platform.streaming.appName" -}}
{{- printf "%s-%s" (include "taxi-platform.streaming.fullname" .ctx) (replace "_" "-" (toString .version)) }}
{{- end }}

{{/*
The pipeline versions of streaming.pipelines, validated and resolved: each entry's settings over
the streaming.* defaults. Stores the list under "pipelines" and the serving entry under "serving" of
the dict passed as "out" (dicts are shared, so no serialisation turns numbers into floats):
  {{- $res := dict }}{{- $_ := include "taxi-platform.streaming.resolve" (dict "ctx" $ "out" $res) }}
Fails, naming the key, on: the removed streaming.pipelineVersion, an empty list, a version that
is not a PIPELINE_VERSION of the job (apps/streaming-job JobConfig: [a-z0-9_]+) or too long for the
object names, a duplicate version, a serving version that is not in the list.
*/}}
{{- define "taxi-platform.streaming.resolve" -}}
{{- $s := .ctx.Values.streaming }}
{{- if hasKey $s "pipelineVersion" }}
{{- fail "streaming.pipelineVersion was removed: list the versions in streaming.pipelines (e.g. `pipelines: [{version: v1}]`) and name the one the dashboards and the smoke test read in streaming.serving (docs/operations.md, Reprocessing)" }}
{{- end }}
{{- if not $s.pipelines }}
{{- fail "streaming.pipelines must list at least one pipeline version (e.g. `[{version: v1}]`)" }}
{{- end }}
{{- $seen := dict }}
{{- $list := list }}
{{- range $i, $p := $s.pipelines }}
{{- $v := toString $p.version }}
{{- if not (regexMatch "^[a-z0-9]([a-z0-9_]{0,14}[a-z0-9])?$" $v) }}
{{- fail (printf "streaming.pipelines[%d].version %q is not a valid pipeline version: [a-z0-9_] only (PIPELINE_VERSION of the job), starting and ending with a letter or digit, at most 16 characters" $i $v) }}
{{- end }}
{{- if hasKey $seen $v }}
{{- fail (printf "streaming.pipelines[%d].version %q is listed twice: each version owns its tables and checkpoint directory" $i $v) }}
{{- end }}
{{- $_ := set $seen $v true }}
{{- $r := dict "version" $v "appName" (include "taxi-platform.streaming.appName" (dict "ctx" $.ctx "version" $v)) }}
{{- range $key := list "zoneWindow" "boroughWindow" "boroughSlide" "watermarkDelay" "startingOffsets" "maxOffsetsPerTrigger" "stateStore" }}
{{- $_ := set $r $key (ternary (index $p $key) (index $s $key) (hasKey $p $key)) }}
{{- end }}
{{- $_ := set $r "driver" (mergeOverwrite (deepCopy $s.driver) (deepCopy (default (dict) $p.driver))) }}
{{- $_ := set $r "executor" (mergeOverwrite (deepCopy $s.executor) (deepCopy (default (dict) $p.executor))) }}
{{- $list = append $list $r }}
{{- end }}
{{- $serving := toString $s.serving }}
{{- if not (hasKey $seen $serving) }}
{{- fail (printf "streaming.serving %q is not a version of streaming.pipelines (%s): add it to the list first" $serving (join ", " (keys $seen | sortAlpha))) }}
{{- end }}
{{- $_ := set .out "pipelines" $list }}
{{- range $list }}
{{- if eq .version $serving }}
{{- $_ := set $.out "serving" . }}
{{- end }}
{{- end }}
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

{{/* Service account of the Spark executors: their own, without API rights or token. */}}
{{- define "taxi-platform.streaming.executorServiceAccountName" -}}
{{- if .Values.streaming.executorServiceAccount.create }}
{{- default (printf "%s-spark-executor" (include "taxi-platform.fullname" .)) .Values.streaming.executorServiceAccount.name }}
{{- else }}
{{- default "default" .Values.streaming.executorServiceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: "<registry>/<repository>@<digest>" when images.<x>.digest is set (schema: sha256:<64 hex>),
else "<registry>/<repository>:<tag>". Call with (dict "image" .Values.images.producer).
*/}}
{{- define "taxi-platform.image" -}}
{{- if .image.digest }}
{{- printf "%s/%s@%s" .image.registry .image.repository .image.digest }}
{{- else }}
{{- printf "%s/%s:%s" .image.registry .image.repository (toString .image.tag) }}
{{- end }}
{{- end }}

{{/*
Cassandra client TLS: the Secret cert-manager issues (ca.crt, tls.crt, tls.key, keystore.jks,
truststore.jks). Named from the release only (like the superuser Secret): Grafana mounts its ca.crt
through the grafana subchart's `tpl`-rendered extraContainerVolumes, where this chart's values are not
visible. The JKS password Secret is only read by this chart's own templates.
*/}}
{{- define "taxi-platform.cassandra.tlsSecret" -}}
{{- printf "%s-cassandra-tls" (.Release.Name | trunc 43 | trimSuffix "-") }}
{{- end }}
{{- define "taxi-platform.cassandra.tlsPasswordSecret" -}}
{{- printf "%s-cassandra-tls-password" (include "taxi-platform.fullname" .) }}
{{- end }}

{{/*
Environment shared by the producer, the streaming job and the test pods: Kafka and Cassandra
connection settings (names in docs/contracts.md). Call with (dict "ctx" $ "kafkaUser" "<KafkaUser name>"),
plus "pipelineVersion" "<version>" where PIPELINE_VERSION matters (a SparkApplication; the test pods:
streaming.serving). The producer gets none, so switching the serving version does not touch it.
"cassandraRole" "<job|test|...>": the client's Cassandra role (cassandra.access); its credentials come
from that role's Secret. Without it the client gets no CASSANDRA_* at all (the producer's synthetic and
replay modes never connect to Cassandra). "cassandraSecret" "<name>" overrides the Secret (the access
setup Job: the superuser Secret). Without "kafkaUser" the client gets no KAFKA_* (the access setup Job).
*/}}
{{- define "taxi-platform.connectionEnv" -}}
{{- $ := .ctx }}
{{- $v := $.Values }}
{{- if .kafkaUser }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ include "taxi-platform.kafka.bootstrap" $ | quote }}
- name: TRIPS_TOPIC
  value: {{ $v.kafka.topics.trips.name | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ include "taxi-platform.kafka.securityProtocol" $ | quote }}
{{- if $v.kafka.authentication.enabled }}
- name: KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: KAFKA_SASL_USERNAME
  value: {{ .kafkaUser | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .kafkaUser }}
      key: password
{{- end }}
{{- if $v.kafka.tls.enabled }}
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/taxi/kafka-ca/ca.p12
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PKCS12
- name: KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "taxi-platform.kafka.clusterCaSecret" $ }}
      key: ca.password
{{- end }}
{{- end }}
{{- with .pipelineVersion }}
- name: PIPELINE_VERSION
  value: {{ . | quote }}
{{- end }}
{{- if or .cassandraRole .cassandraSecret }}
- name: CASSANDRA_CONTACT_POINTS
  value: {{ include "taxi-platform.cassandra.contactPoints" $ | quote }}
- name: CASSANDRA_LOCAL_DC
  value: {{ $v.cassandra.datacenter | quote }}
- name: CASSANDRA_KEYSPACE
  value: {{ $v.cassandra.keyspace | quote }}
{{- if $v.cassandra.authentication.enabled }}
{{- $secret := .cassandraSecret | default (include "taxi-platform.cassandra.roleSecret" (dict "ctx" $ "role" .cassandraRole)) }}
- name: CASSANDRA_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: username
- name: CASSANDRA_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: password
{{- end }}
- name: CASSANDRA_SSL_ENABLED
  value: {{ $v.cassandra.tls.enabled | quote }}
{{- if $v.cassandra.tls.enabled }}
- name: CASSANDRA_SSL_TRUSTSTORE_PATH
  value: /etc/taxi/cassandra-tls/truststore.jks
- name: CASSANDRA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "taxi-platform.cassandra.tlsPasswordSecret" $ }}
      key: password
{{- end }}
{{- end }}
{{- end }}

{{/*
Volumes holding the Kafka cluster CA and the Cassandra truststore, when TLS is on. Call with
(dict "ctx" $ "kafka" true "cassandra" true): only the stores the client uses.
*/}}
{{- define "taxi-platform.tlsVolumes" -}}
{{- $ := .ctx }}
{{- if and .kafka $.Values.kafka.tls.enabled }}
- name: kafka-ca
  secret:
    secretName: {{ include "taxi-platform.kafka.clusterCaSecret" $ }}
    items:
      - key: ca.p12
        path: ca.p12
{{- end }}
{{- if and .cassandra $.Values.cassandra.tls.enabled }}
- name: cassandra-tls
  secret:
    secretName: {{ include "taxi-platform.cassandra.tlsSecret" $ }}
    items:
      - key: truststore.jks
        path: truststore.jks
{{- end }}
{{- end }}
{{- define "taxi-platform.tlsVolumeMounts" -}}
{{- $ := .ctx }}
{{- if and .kafka $.Values.kafka.tls.enabled }}
- name: kafka-ca
  mountPath: /etc/taxi/kafka-ca
  readOnly: true
{{- end }}
{{- if and .cassandra $.Values.cassandra.tls.enabled }}
- name: cassandra-tls
  mountPath: /etc/taxi/cassandra-tls
  readOnly: true
{{- end }}
{{- end }}

{{/* Writable emptyDir mounts of the Spark driver and executors (read-only root filesystem). */}}
{{- define "taxi-platform.streaming.scratchMounts" -}}
- name: tmp
  mountPath: /tmp
- name: work-dir
  mountPath: /opt/spark/work-dir
- name: spark-local-dir-1
  mountPath: /var/data/spark-local
{{- end }}
