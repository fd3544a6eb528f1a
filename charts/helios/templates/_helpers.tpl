{{/* Names, labels and image shared by the Helios templates. */}}

{{/* The chart name, overridable by nameOverride. */}}
{{- define "helios.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-helios, or just the release name when it already contains the chart name. */}}
{{- define "helios.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "helios.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "helios.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "helios.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "helios.labels" -}}
helm.sh/chart: {{ include "helios.chart" . }}
app.kubernetes.io/name: {{ include "helios.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: helios
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of the operator pods. */}}
{{- define "helios.operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "helios.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Selector labels of the agent pods. */}}
{{- define "helios.agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "helios.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: agent
{{- end -}}

{{- define "helios.operator.fullname" -}}
{{- printf "%s-operator" (include "helios.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "helios.agent.fullname" -}}
{{- printf "%s-agent" (include "helios.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "helios.operator.serviceAccountName" -}}
{{- default (include "helios.operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "helios.agent.serviceAccountName" -}}
{{- default (include "helios.agent.fullname" .) .Values.agents.serviceAccount.name -}}
{{- end -}}

{{/*
The namespace the agents serve (agents.namespace); empty when no agent identity is wanted. Required by
the agent pool, and never the release namespace: the operator's leader Lease and the control flags live
there, beyond any agent's reach.
*/}}
{{- define "helios.agent.namespace" -}}
{{- $ns := .Values.agents.namespace -}}
{{- if and .Values.agents.enabled (not $ns) -}}
{{- fail "agents.namespace is required with agents.enabled=true: set it to the namespace the agents serve" -}}
{{- end -}}
{{- if eq $ns .Release.Namespace -}}
{{- fail (printf "agents.namespace must not be the release namespace %q: the operator's leader Lease and the control flags live there; agents serve a tenant namespace" $ns) -}}
{{- end -}}
{{- $ns -}}
{{- end -}}

{{/* The image, its repository under global.imageRegistry when set (a mirror for every image of the release). */}}
{{- define "helios.image" -}}
{{- $registry := dig "imageRegistry" "" (.Values.global | default dict) -}}
{{- $repository := .Values.image.repository -}}
{{- if $registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The container securityContext shared by the operator and the agents (values securityContext). */}}
{{- define "helios.containerSecurityContext" -}}
{{- toYaml .Values.securityContext -}}
{{- end -}}

{{/* The pod securityContext shared by the operator and the agents (values podSecurityContext). */}}
{{- define "helios.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{/* resources.limits.memory in MiB (Ki/Mi/Gi/Ti, k/M/G/T or bytes), empty when unset or not understood. */}}
{{- define "helios.memoryLimitMiB" -}}
{{- $limit := dig "limits" "memory" "" (.Values.resources | default dict) -}}
{{- $m := kindIs "float64" $limit | ternary (int64 $limit | toString) (toString $limit) -}}
{{- $units := dict "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "" 1 -}}
{{- if regexMatch "^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)?$" $m -}}
{{- $unit := regexReplaceAll "^[0-9]+" $m "" -}}
{{- div (mul (regexFind "^[0-9]+" $m | atoi) (get $units $unit)) 1048576 -}}
{{- end -}}
{{- end -}}

{{/*
The operator's NODE_OPTIONS (it replaces the image's, so it repeats --max-semi-space-size=8: see the
Dockerfile) with the heap capped at heapPercentOfMemoryLimit of the memory limit.
*/}}
{{- define "helios.operator.nodeOptions" -}}
{{- $options := list "--max-semi-space-size=8" -}}
{{- $limitMiB := include "helios.memoryLimitMiB" . -}}
{{- if and $limitMiB (gt (int .Values.heapPercentOfMemoryLimit) 0) -}}
{{- $options = append $options (printf "--max-old-space-size=%d" (div (mul (atoi $limitMiB) (int .Values.heapPercentOfMemoryLimit)) 100)) -}}
{{- end -}}
{{- join " " $options -}}
{{- end -}}
