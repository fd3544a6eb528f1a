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

{{/*
The image: its repository under global.imageRegistry when set (a mirror for every image of the
release: it replaces the repository's registry host, or is prefixed when the repository names none),
then @digest when image.digest is set (the tag is then ignored), else :tag.
*/}}
{{- define "helios.image" -}}
{{- $registry := dig "imageRegistry" "" (.Values.global | default dict) -}}
{{- $repository := .Values.image.repository -}}
{{- if $registry -}}
{{- $parts := splitList "/" $repository -}}
{{- $host := first $parts -}}
{{- if and (gt (len $parts) 1) (or (contains "." $host) (contains ":" $host) (eq $host "localhost")) -}}
{{- $repository = join "/" (rest $parts) -}}
{{- end -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
A Go duration in milliseconds, for the forms values.schema.json lets through (unsigned segments of
number and unit, or 0).
*/}}
{{- define "helios.durationMs" -}}
{{- $units := dict "ns" 0.000001 "us" 0.001 "µs" 0.001 "μs" 0.001 "ms" 1.0 "s" 1000.0 "m" 60000.0 "h" 3600000.0 -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "[0-9.]+[^0-9.]+" (toString .) -1 -}}
{{- $total = addf $total (mulf (regexFind "^[0-9.]+" . | float64) (get $units (regexReplaceAll "^[0-9.]+" . ""))) -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{/*
The cross-field rules of values.schema.json's source (src/chart/values.ts) that JSON Schema cannot
state; the operator refuses the same values at start-up.
*/}}
{{- define "helios.validateValues" -}}
{{- $breaker := .Values.breaker -}}
{{- if lt (include "helios.durationMs" $breaker.maxQuarantine | float64) (include "helios.durationMs" $breaker.quarantine | float64) -}}
{{- fail (printf "breaker.maxQuarantine (%s) must not be shorter than breaker.quarantine (%s): the operator refuses --agent-max-quarantine below --agent-quarantine" $breaker.maxQuarantine $breaker.quarantine) -}}
{{- end -}}
{{- if eq (int .Values.ports.metrics) (int .Values.ports.health) -}}
{{- fail (printf "ports.health (%d) must differ from ports.metrics: the operator cannot serve /metrics and the probes on one port (--health-probe-bind-address, --metrics-bind-address)" (int .Values.ports.health)) -}}
{{- end -}}
{{- end -}}

{{/* The container securityContext shared by the operator and the agents (values securityContext). */}}
{{- define "helios.containerSecurityContext" -}}
{{- toYaml .Values.securityContext -}}
{{- end -}}

{{/* The pod securityContext shared by the operator and the agents (values podSecurityContext). */}}
{{- define "helios.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{/*
A resources block's limits.memory in MiB, rounded down (Kubernetes quantities: an integer or decimal
number with Ki/Mi/Gi/Ti/Pi/Ei, k/M/G/T/P/E or no suffix, e.g. 512Mi, 1.5Gi, 2G); empty when unset or
not understood. Call with the resources dict.
*/}}
{{- define "helios.memoryLimitMiB" -}}
{{- $limit := dig "limits" "memory" "" (. | default dict) -}}
{{- $m := kindIs "float64" $limit | ternary (int64 $limit | toString) (toString $limit) -}}
{{- $units := dict "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 "P" 1000000000000000.0 "E" 1000000000000000000.0 "" 1.0 -}}
{{- if regexMatch "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$" $m -}}
{{- $unit := regexReplaceAll "^[0-9.]+" $m "" -}}
{{- divf (mulf (regexFind "^[0-9.]+" $m | float64) (get $units $unit)) 1048576 | floor | int64 -}}
{{- end -}}
{{- end -}}

{{/*
NODE_OPTIONS for a Helios container (it replaces the image's, so it repeats --max-semi-space-size=8:
see the Dockerfile) with V8's heap capped at `percent` of the memory limit of `resources`; no cap when
the percent is 0 or there is no memory limit. Call with (dict "resources" ... "percent" ...).
*/}}
{{- define "helios.nodeOptions" -}}
{{- $options := list "--max-semi-space-size=8" -}}
{{- $limitMiB := include "helios.memoryLimitMiB" .resources -}}
{{- if and $limitMiB (gt (int .percent) 0) -}}
{{- $options = append $options (printf "--max-old-space-size=%d" (div (mul (atoi $limitMiB) (int .percent)) 100)) -}}
{{- end -}}
{{- join " " $options -}}
{{- end -}}
