{{/*
Pod template of the producer, shared by the synthetic Deployment (deployment.yaml) and the replay
Job (job.yaml). Labels are the producer's selector labels in both modes, so the metrics Service and
the producer PodMonitor select the replay pod too. Call with the root context.
*/}}
{{- define "taxi-platform.producer.podTemplate" -}}
{{- $p := .Values.producer }}
{{- $replay := eq $p.mode "replay" }}
{{- /* Kafka only: synthetic and replay modes never connect to Cassandra, so no Cassandra credentials or truststore. */}}
{{- $tlsMounts := include "taxi-platform.tlsVolumeMounts" (dict "ctx" . "kafka" true) }}
{{- $tlsVolumes := include "taxi-platform.tlsVolumes" (dict "ctx" . "kafka" true) }}
metadata:
  labels:
    {{- include "taxi-platform.labels" (dict "ctx" $ "component" "producer") | nindent 4 }}
  {{- with $p.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if $replay }}
  {{- /* A failed attempt restarts in place (counted by the Job's backoffLimit) and resumes. */}}
  restartPolicy: OnFailure
  {{- end }}
  serviceAccountName: {{ include "taxi-platform.producer.serviceAccountName" . }}
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $p.podSecurityContext | nindent 4 }}
  containers:
    - name: producer
      image: {{ include "taxi-platform.image" (dict "image" .Values.images.producer) }}
      imagePullPolicy: {{ .Values.images.producer.pullPolicy }}
      securityContext:
        {{- toYaml $p.securityContext | nindent 8 }}
      ports:
        - name: metrics
          containerPort: {{ $p.metricsPort }}
          protocol: TCP
      env:
        {{- include "taxi-platform.connectionEnv" (dict "ctx" $ "kafkaUser" (include "taxi-platform.kafka.producerUser" .)) | nindent 8 }}
        - name: PRODUCER_MODE
          value: {{ $p.mode | quote }}
        {{- with $p.input }}
        - name: PRODUCER_INPUT
          value: {{ . | quote }}
        {{- end }}
        {{- if $replay }}
        - name: PRODUCER_ORDER
          value: {{ $p.order | quote }}
        {{- with $p.period }}
        - name: PRODUCER_PERIOD
          value: {{ . | quote }}
        {{- end }}
        - name: PRODUCER_RESUME
          value: {{ $p.replay.resume | quote }}
        - name: PRODUCER_SORT_CHUNK_ROWS
          value: {{ $p.replay.sortChunkRows | int64 | quote }}
        - name: PRODUCER_SPILL_DIR
          value: {{ $p.replay.spill.mountPath | quote }}
        {{- end }}
        {{- if $p.speed }}
        - name: PRODUCER_SPEED
          value: {{ $p.speed | quote }}
        {{- else }}
        - name: PRODUCER_RATE
          value: {{ $p.rate | quote }}
        {{- end }}
        - name: PRODUCER_TIME_MODE
          value: {{ $p.timeMode | quote }}
        - name: PRODUCER_MAX_EVENTS
          value: {{ $p.maxEvents | int64 | quote }}
        - name: PRODUCER_COMPRESSION
          value: {{ $p.compression | quote }}
        - name: METRICS_PORT
          value: {{ $p.metricsPort | quote }}
        {{- with $p.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      livenessProbe:
        {{- toYaml $p.livenessProbe | nindent 8 }}
      readinessProbe:
        {{- toYaml $p.readinessProbe | nindent 8 }}
      resources:
        {{- toYaml $p.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if $replay }}
        - name: spill
          mountPath: {{ $p.replay.spill.mountPath }}
        {{- end }}
        {{- with $tlsMounts }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $p.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if $replay }}
    {{- /* External-sort spill files of the replay (the root filesystem is read-only). */}}
    - name: spill
      emptyDir:
        sizeLimit: {{ $p.replay.spill.sizeLimit }}
    {{- end }}
    {{- with $tlsVolumes }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- with $p.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $p.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $p.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $p.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
