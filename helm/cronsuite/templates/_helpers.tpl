{{/* Chart name for labels; a label value holds at most 63 characters. */}}
{{- define "cronsuite.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: the release name unless fullnameOverride is set. Not truncated: CronJob names are checked instead (cronsuite.cronJobName). */}}
{{- define "cronsuite.prefix" -}}
{{- default .Release.Name .Values.fullnameOverride | trimSuffix "-" }}
{{- end }}

{{/* Name of the ConfigMap, Secret, ServiceAccount and test Pod: 52 characters leave room for "-migrate-config" within 63, and a hook Job's name must fit the 63-character job-name label. */}}
{{- define "cronsuite.fullname" -}}
{{- include "cronsuite.prefix" . | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/* CronJob name <prefix>-<entry>; fails instead of truncating (two entries could collide), because the controller appends 11 characters and Job names must fit a 63-character label. */}}
{{- define "cronsuite.cronJobName" -}}
{{- $root := index . 0 }}
{{- $entry := index . 1 }}
{{- $name := printf "%s-%s" (include "cronsuite.prefix" $root) $entry }}
{{- if gt (len $name) 52 }}
{{- fail (printf "CronJob name %q (release or fullnameOverride %q + entry %q) has %d characters; Kubernetes allows 52 for a CronJob. Shorten the entry name or set fullnameOverride." $name (include "cronsuite.prefix" $root) $entry (len $name)) }}
{{- end }}
{{- $name }}
{{- end }}

{{/* Chart name and version for the helm.sh/chart label ("+" is not allowed in label values). */}}
{{- define "cronsuite.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that identify the release's objects; never include helm.sh/chart or the version here, they change on upgrade. */}}
{{- define "cronsuite.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cronsuite.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object the chart renders. */}}
{{- define "cronsuite.labels" -}}
helm.sh/chart: {{ include "cronsuite.chart" . }}
{{ include "cronsuite.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of a schedule entry's CronJob, Job template and Pod template: the monitoring rules and dashboard join on cronsuite.io/entry and cronsuite.io/job. Args: (list root entryName jobName). */}}
{{- define "cronsuite.entryLabels" -}}
{{- include "cronsuite.labels" (index . 0) }}
app.kubernetes.io/component: job
cronsuite.io/entry: {{ index . 1 }}
cronsuite.io/job: {{ index . 2 }}
{{- end }}

{{/* Merges map src into map dst in place, like Helm merges values: maps key by key, anything else replaced, null removes the key. Args: (list dst src). jobs/schedule.py mirrors this. */}}
{{- define "cronsuite.mergeInto" -}}
{{- $dst := index . 0 }}
{{- range $key, $value := index . 1 }}
{{- if kindIs "invalid" $value }}
{{- $_ := unset $dst $key }}
{{- else if and (kindIs "map" $value) (kindIs "map" (index $dst $key)) }}
{{- include "cronsuite.mergeInto" (list (index $dst $key) $value) }}
{{- else }}
{{- $_ := set $dst $key $value }}
{{- end }}
{{- end }}
{{- end }}

{{/* An entry's settings: defaults merged with the entry, as YAML (use with fromYaml). Args: (list root entry). */}}
{{- define "cronsuite.settings" -}}
{{- $root := index . 0 }}
{{- $settings := deepCopy ($root.Values.defaults | default dict) }}
{{- include "cronsuite.mergeInto" (list $settings (index . 1 | default dict)) }}
{{- toYaml $settings }}
{{- end }}

{{/* Image reference: the digest pins it when set, else the tag (default: appVersion). Args: settings image map, root. */}}
{{- define "cronsuite.image" -}}
{{- $image := index . 0 }}
{{- $root := index . 1 }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default $root.Chart.AppVersion $image.tag | toString) }}
{{- end }}
{{- end }}

{{/* The job's own deadline per attempt (JOB_TIMEOUT): the entry's timeout. Args: (list entryName settings). */}}
{{- define "cronsuite.jobTimeout" -}}
{{- required (printf "jobs.%s.timeout is required: the seconds one attempt may run" (index . 0)) (index . 1).timeout | int64 }}
{{- end }}

{{/* activeDeadlineSeconds of an entry's Job. It bounds the whole Job, not one pod: every attempt, the backoff Kubernetes waits before each retry (10 s, doubling, at most 6 min), scheduling and image pulls. Unless set, it is (timeout + 60 s) x (backoffLimit + 1) + that backoff: every attempt gets its timeout plus 60 s to schedule and start its pod (image pull, Django start-up) and to record the run after its deadline, so a retry after a slow attempt still gets its full timeout. An explicit value must leave one attempt its timeout + 60 s. Args: (list entryName settings). */}}
{{- define "cronsuite.activeDeadlineSeconds" -}}
{{- $entry := index . 0 }}
{{- $s := index . 1 }}
{{- $timeout := include "cronsuite.jobTimeout" . | int64 }}
{{- $startup := 60 }}
{{- $oneAttempt := add $timeout $startup }}
{{- $backoff := 0 }}
{{- $delay := 10 }}
{{- range until ($s.backoffLimit | int) }}
{{- $backoff = add $backoff $delay }}
{{- $delay = min 360 (mul $delay 2) }}
{{- end }}
{{- $derived := add (mul $oneAttempt (add $s.backoffLimit 1)) $backoff }}
{{- if kindIs "invalid" $s.activeDeadlineSeconds }}
{{- $derived }}
{{- else if lt (int64 $s.activeDeadlineSeconds) $oneAttempt }}
{{- fail (printf "jobs.%s.activeDeadlineSeconds is %d, shorter than one attempt needs (timeout %d s + %d s to start the pod): set it to at least %d, or remove it to get %d, enough for all %d attempts." $entry (int64 $s.activeDeadlineSeconds) $timeout $startup $oneAttempt $derived (add $s.backoffLimit 1)) }}
{{- else }}
{{- int64 $s.activeDeadlineSeconds }}
{{- end }}
{{- end }}

{{/* Fails the render with a sentence when a field of a 5-field schedule is one Kubernetes would reject: out of range (minute 61), an unknown name, a range running backwards, a zero step. values.schema.json has checked the shape already (5 fields or a macro, no TZ= prefix). Args: (list entryName schedule). */}}
{{- define "cronsuite.checkSchedule" -}}
{{- $entry := index . 0 }}
{{- $schedule := index . 1 | toString | trim }}
{{- if not (hasPrefix "@" $schedule) }}
{{- $months := dict "JAN" 1 "FEB" 2 "MAR" 3 "APR" 4 "MAY" 5 "JUN" 6 "JUL" 7 "AUG" 8 "SEP" 9 "OCT" 10 "NOV" 11 "DEC" 12 }}
{{- $days := dict "SUN" 0 "MON" 1 "TUE" 2 "WED" 3 "THU" 4 "FRI" 5 "SAT" 6 }}
{{- $fields := list
  (dict "name" "minute" "min" 0 "max" 59 "names" dict "kind" "a number")
  (dict "name" "hour" "min" 0 "max" 23 "names" dict "kind" "a number")
  (dict "name" "day-of-month" "min" 1 "max" 31 "names" dict "kind" "a number")
  (dict "name" "month" "min" 1 "max" 12 "names" $months "kind" "a number or JAN-DEC")
  (dict "name" "day-of-week" "min" 0 "max" 6 "names" $days "kind" "a number or SUN-SAT")
}}
{{- range $i, $value := regexSplit "\\s+" $schedule -1 }}
{{- $field := index $fields $i }}
{{- $where := printf "jobs.%s.schedule %q: %s" $entry $schedule $field.name }}
{{- range $part := splitList "," $value }}
{{- if not (regexMatch "^([*?]|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(/[0-9]+)?$" $part) }}
{{- fail (printf "%s %q is not a value, a range (1-5), a list (1,5) or a step (*/10)" $where $part) }}
{{- end }}
{{- $rangeAndStep := splitList "/" $part }}
{{- if and (eq (len $rangeAndStep) 2) (eq (atoi (last $rangeAndStep)) 0) }}
{{- fail (printf "%s %q has a step of 0; a step is at least 1" $where $part) }}
{{- end }}
{{- $bounds := list }}
{{- range $v := splitList "-" (first $rangeAndStep) }}
{{- if not (regexMatch "^[*?]$" $v) }}
{{- $n := 0 }}
{{- if regexMatch "^[0-9]+$" $v }}
{{- $n = atoi $v }}
{{- else if hasKey $field.names (upper $v) }}
{{- $n = get $field.names (upper $v) }}
{{- else }}
{{- fail (printf "%s %q is not %s" $where $v $field.kind) }}
{{- end }}
{{- if or (lt $n $field.min) (gt $n $field.max) }}
{{- fail (printf "%s %s is out of range %d-%d" $where $v $field.min $field.max) }}
{{- end }}
{{- $bounds = append $bounds $n }}
{{- end }}
{{- end }}
{{- if and (eq (len $bounds) 2) (gt (first $bounds) (last $bounds)) }}
{{- fail (printf "%s range %q runs backwards" $where (first $rangeAndStep)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap with the non-secret settings. */}}
{{- define "cronsuite.configName" -}}
{{- printf "%s-config" (include "cronsuite.fullname" .) }}
{{- end }}

{{/* Name of the Secret with the secret settings: existingSecret or the chart's own. */}}
{{- define "cronsuite.secretName" -}}
{{- default (printf "%s-secret" (include "cronsuite.fullname" .)) .Values.secret.existingSecret }}
{{- end }}

{{/* ServiceAccount of the pods: the entry's serviceAccountName, else the chart's account, else none (the namespace's default). Args: (list root settings). */}}
{{- define "cronsuite.serviceAccountName" -}}
{{- $root := index . 0 }}
{{- $settings := index . 1 }}
{{- if $settings.serviceAccountName }}
{{- $settings.serviceAccountName }}
{{- else if $root.Values.serviceAccount.create }}
{{- default (include "cronsuite.fullname" $root) $root.Values.serviceAccount.name }}
{{- else }}
{{- $root.Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Non-secret settings as ConfigMap data; integers and booleans become strings. */}}
{{- define "cronsuite.configData" -}}
{{- range $key, $value := .Values.config }}
{{ $key }}: {{ (kindIs "float64" $value) | ternary ($value | int64) $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Secret settings as Secret data. */}}
{{- define "cronsuite.secretData" -}}
{{- range $key, $value := .Values.secret.values }}
{{ $key }}: {{ $value | toString | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Exit code 2 (a configuration error) fails the Job at once: retrying cannot help. Evictions, preemptions and node drains (DisruptionTarget) do not count against backoffLimit. */}}
{{- define "cronsuite.podFailurePolicy" -}}
rules:
  - action: FailJob
    onExitCodes:
      containerName: job
      operator: In
      values: [2]
  - action: Ignore
    onPodConditions:
      - type: DisruptionTarget
        status: "True"
{{- end }}

{{/* The one pod spec of the chart, used by every CronJob, the migration hook Job and the test Pod. Args: dict root, settings, args, command (optional), env (list), configName, secretName, serviceAccountName. */}}
{{- define "cronsuite.podSpec" -}}
{{- $root := .root }}
{{- $s := .settings -}}
restartPolicy: Never
automountServiceAccountToken: {{ $s.automountServiceAccountToken | default false }}
{{- with .serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with $s.terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ . }}
{{- end }}
{{- with $s.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $s.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $s.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: job
    image: {{ include "cronsuite.image" (list $s.image $root) | quote }}
    imagePullPolicy: {{ $s.image.pullPolicy }}
    {{- with .command }}
    command: {{ toJson . }}
    {{- end }}
    args: {{ toJson .args }}
    {{- $env := concat (.env | default list) ($s.env | default list) }}
    {{- with $env }}
    env:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    envFrom:
      - configMapRef:
          name: {{ .configName }}
      - secretRef:
          name: {{ .secretName }}
      {{- with $s.envFrom }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    {{- with $s.securityContext }}
    securityContext:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $s.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- with $s.extraVolumeMounts }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
volumes:
  - name: tmp
    emptyDir: {{ $s.tmpVolume | default dict | toJson }}
  {{- with $s.extraVolumes }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with $s.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $s.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $s.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $s.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
