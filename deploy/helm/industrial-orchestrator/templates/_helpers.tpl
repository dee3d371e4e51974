{{/*
Names: every resource is `<fullname>-<component>`; fullname is the release name unless
fullnameOverride is set (so `helm install orchestrator` gives orchestrator-gateway, …).
*/}}
{{- define "io.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "io.componentName" -}}
{{- printf "%s-%s" (include "io.fullname" .root) .component -}}
{{- end -}}

{{- define "io.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "io.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "io.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: industrial-orchestrator
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector of this release's own pods (not the Temporal subchart's). dict: root. */}}
{{- define "io.releaseSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one component. dict: root, component. */}}
{{- define "io.selectorLabels" -}}
{{ include "io.releaseSelector" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component. dict: root, component. */}}
{{- define "io.componentLabels" -}}
{{ include "io.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* repository:tag or repository@digest. dict: root, image. */}}
{{- define "io.image" -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/*
The official chart's fullname rule (fullnameOverride, else the release name when it contains the
chart name, else `<release>-temporal`), to find the bundled frontend.
*/}}
{{- define "io.temporalFullname" -}}
{{- $t := .Values.temporal -}}
{{- if $t.fullnameOverride -}}
{{- $t.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "temporal" $t.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* TEMPORAL_ADDRESS: the configured one, else the bundled frontend. */}}
{{- define "io.temporalAddress" -}}
{{- if .Values.config.temporal.address -}}
{{- .Values.config.temporal.address -}}
{{- else if .Values.temporal.enabled -}}
{{- $port := dig "server" "frontend" "service" "port" 7233 .Values.temporal -}}
{{- printf "%s-frontend.%s.svc:%v" (include "io.temporalFullname" .) .Release.Namespace $port -}}
{{- else -}}
{{- fail "config.temporal.address is required when temporal.enabled is false: set it to your Temporal frontend's host:port (e.g. temporal-frontend.temporal.svc:7233)." -}}
{{- end -}}
{{- end -}}

{{/* Names of the bundled stores and of the generated Secret. */}}
{{- define "io.postgresqlName" -}}{{ include "io.componentName" (dict "root" . "component" "postgresql") }}{{- end -}}
{{- define "io.redisName" -}}{{ include "io.componentName" (dict "root" . "component" "redis") }}{{- end -}}
{{- define "io.postgresqlSecretName" -}}
{{- default (include "io.postgresqlName" .) .Values.postgresql.auth.existingSecret -}}
{{- end -}}
{{- define "io.appSecretName" -}}
{{- default (include "io.componentName" (dict "root" . "component" "secrets")) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
DATABASE_URL and REDIS_URL. The bundled stores' passwords come from their Secrets and are put
into the URL by Kubernetes' $(VAR) expansion, so no Secret holds a password twice; external
stores' URLs come whole from the app Secret (existingSecret or generated from secrets.*).
*/}}
{{- define "io.databaseEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "io.postgresqlSecretName" . }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(POSTGRES_PASSWORD)@%s:5432/%s" .Values.postgresql.auth.username (include "io.postgresqlName" .) .Values.postgresql.auth.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "io.appSecretName" . }}
      key: {{ .Values.secrets.databaseUrlKey }}
{{- end }}
{{- end -}}

{{- define "io.redisEnv" -}}
{{- if .Values.redis.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "io.redisName" . }}
      key: password
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:6379" (include "io.redisName" .) | quote }}
{{- else }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "io.appSecretName" . }}
      key: {{ .Values.secrets.redisUrlKey }}
{{- end }}
{{- end -}}

{{- define "io.storageEnv" -}}
{{ include "io.databaseEnv" . | trim }}
{{ include "io.redisEnv" . | trim }}
{{- end -}}

{{/* Pod anti-affinity preset, or the full affinity when given. dict: root, component, values. */}}
{{- define "io.affinity" -}}
{{- if .values.affinity }}
affinity:
  {{- toYaml .values.affinity | nindent 2 }}
{{- else if eq .values.podAntiAffinity "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "io.selectorLabels" (dict "root" .root "component" .component) | nindent 12 }}
{{- else if eq .values.podAntiAffinity "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "io.selectorLabels" (dict "root" .root "component" .component) | nindent 14 }}
{{- else if ne .values.podAntiAffinity "none" }}
{{- fail (printf "%s.podAntiAffinity must be soft, hard or none, got %q" .component .values.podAntiAffinity) }}
{{- end }}
{{- end -}}

{{/* Scheduling fields shared by the Deployments. dict: root, component, values. */}}
{{- define "io.scheduling" -}}
{{- include "io.affinity" . }}
{{- with .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{- define "io.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod-level fields every pod of the chart shares. */}}
{{- define "io.podCommon" -}}
serviceAccountName: {{ include "io.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- include "io.imagePullSecrets" . }}
{{- end -}}

{{/* The /tmp emptyDir of every pod (the root filesystem is read-only). */}}
{{- define "io.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{/* Checksum of the rendered configuration, so pods roll when it changes. */}}
{{- define "io.configChecksum" -}}
{{- $config := include (print .Template.BasePath "/configmap.yaml") . -}}
{{- $secret := include (print .Template.BasePath "/secret.yaml") . -}}
{{- sha256sum (print $config $secret) -}}
{{- end -}}

{{/* The replicas a component can run: more than one means a PDB makes sense. dict: values. */}}
{{- define "io.maxReplicas" -}}
{{- if .autoscaling.enabled -}}{{ .autoscaling.maxReplicas }}{{- else -}}{{ .replicaCount }}{{- end -}}
{{- end -}}

{{/*
OpenTelemetry settings of both processes (ConfigMap entries), only when tracing is enabled:
without them the processes load no SDK. Standard OTEL_* names, read by the SDK itself.
*/}}
{{- define "io.tracingConfig" -}}
{{- $tracing := .Values.tracing -}}
{{- if $tracing.enabled }}
OTEL_TRACES_EXPORTER: otlp
OTEL_EXPORTER_OTLP_ENDPOINT: {{ $tracing.endpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ $tracing.protocol | quote }}
OTEL_TRACES_SAMPLER: {{ $tracing.sampler | quote }}
{{- with $tracing.samplerArg }}
OTEL_TRACES_SAMPLER_ARG: {{ . | toString | quote }}
{{- end }}
{{- $attributes := list (printf "k8s.namespace.name=%s" .Release.Namespace) }}
{{- range $key, $value := $tracing.resourceAttributes }}
{{- $attributes = append $attributes (printf "%s=%v" $key $value) }}
{{- end }}
OTEL_RESOURCE_ATTRIBUTES: {{ join "," $attributes | quote }}
{{- end }}
{{- end -}}

{{/* The OTLP headers (credentials of the collector) from their Secret, when there is one. */}}
{{- define "io.tracingEnv" -}}
{{- if and .Values.tracing.enabled .Values.tracing.headersSecret }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.tracing.headersSecret }}
      key: {{ .Values.tracing.headersSecretKey }}
{{- end }}
{{- end -}}

{{/* The TCP port of tracing.endpoint: explicit, else the scheme's (80 or 443). */}}
{{- define "io.otlpPort" -}}
{{- $url := urlParse .Values.tracing.endpoint -}}
{{- $hostPort := splitList ":" $url.host -}}
{{- if gt (len $hostPort) 1 -}}{{ last $hostPort }}{{- else if eq $url.scheme "https" -}}443{{- else -}}80{{- end -}}
{{- end -}}
