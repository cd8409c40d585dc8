{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "outpost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, prefixed to the chart name unless it already contains it. */}}
{{- define "outpost.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "outpost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "outpost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* helm.sh/chart only under Helm: the plain manifests are rendered with another Release.Service. */}}
{{- define "outpost.labels" -}}
{{ include "outpost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if eq .Release.Service "Helm" }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}
{{- end }}

{{- define "outpost.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "outpost.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "outpost.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The namespace the Kubernetes backend creates servers in. */}}
{{- define "outpost.serverNamespace" -}}
{{- default .Release.Namespace .Values.kubernetesBackend.namespace }}
{{- end }}

{{/* Whether the pod needs a service account token. */}}
{{- define "outpost.needsToken" -}}
{{- if .Values.kubernetesBackend.enabled }}true{{ else }}false{{ end }}
{{- end }}

{{/* Keys of the chart's Secret that hold something (the Secret is made only when one does). */}}
{{- define "outpost.secretData" -}}
{{- range $name, $hub := .Values.hubs }}
{{- if $hub.passwordHash }}
{{ printf "hub-%s-password-hash" $name }}: {{ $hub.passwordHash | b64enc | quote }}
{{- else if $hub.password }}
{{ printf "hub-%s-password" $name }}: {{ $hub.password | b64enc | quote }}
{{- end }}
{{- end }}
{{- if and .Values.storage.connectionString (not .Values.storage.existingSecret) }}
connection-string: {{ .Values.storage.connectionString | b64enc | quote }}
{{- end }}
{{- if and .Values.storage.encryptionKey (not .Values.storage.encryptionKeyExistingSecret) }}
encryption-key: {{ .Values.storage.encryptionKey | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Refuses values that cannot work, with the reason. */}}
{{- define "outpost.validate" -}}
{{- $replicas := int .Values.replicaCount }}
{{- if not (has .Values.storage.provider (list "Sqlite" "Postgres")) }}
{{- fail (printf "storage.provider must be Sqlite or Postgres, not %q" .Values.storage.provider) }}
{{- end }}
{{- if and (eq .Values.storage.provider "Postgres") (not (or .Values.storage.connectionString .Values.storage.existingSecret)) }}
{{- fail "storage.provider Postgres needs storage.connectionString or storage.existingSecret" }}
{{- end }}
{{- if gt $replicas 1 }}
{{- if ne .Values.storage.provider "Postgres" }}
{{- fail "replicaCount > 1 needs storage.provider Postgres: replicas share one database" }}
{{- end }}
{{- if not (or .Values.storage.encryptionKey .Values.storage.encryptionKeyExistingSecret .Values.originalOutpost.cryptSecret) }}
{{- fail "replicaCount > 1 needs storage.encryptionKey, storage.encryptionKeyExistingSecret or originalOutpost.cryptSecret: replicas share one key" }}
{{- end }}
{{- if and .Values.persistence.enabled (not .Values.persistence.existingClaim) }}
{{- fail "replicaCount > 1 needs persistence.enabled false (or an existingClaim that every pod can mount)" }}
{{- end }}
{{- if and .Values.sshd.enabled (not .Values.sshd.hostKeys.existingSecret) }}
{{- fail "replicaCount > 1 needs sshd.hostKeys.existingSecret: every pod behind the ssh Service must show the host key the hubs pinned" }}
{{- end }}
{{- end }}
{{- if and .Values.kubernetesBackend.namespaceTemplate .Values.kubernetesBackend.namespace }}
{{- fail "kubernetesBackend.namespace and kubernetesBackend.namespaceTemplate are both set; set one of them" }}
{{- end }}
{{- range $name, $hub := .Values.hubs }}
{{- if not (regexMatch "^[A-Za-z0-9._-]{1,63}$" $name) }}
{{- fail (printf "hubs: %q is not a valid hub name (1-63 letters, digits, '.', '_' or '-')" $name) }}
{{- end }}
{{- $sources := 0 }}
{{- range $key := list "password" "passwordHash" "existingSecret" }}
{{- if and $hub (get $hub $key) }}{{ $sources = add1 $sources }}{{ end }}
{{- end }}
{{- if ne (int $sources) 1 }}
{{- fail (printf "hubs.%s needs exactly one of password, passwordHash or existingSecret" $name) }}
{{- end }}
{{- end }}
{{- end }}
