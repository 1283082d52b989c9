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

{{/* Labels of a schedule entry's CronJob, Job template and Pod template: the monitoring rules and dashboard join on cronsuite.io/entry and cronsuite.io/job. Args: (list labels entryName jobName), labels being cronsuite.labels, rendered once for all entries. */}}
{{- define "cronsuite.entryLabels" -}}
{{- index . 0 }}
app.kubernetes.io/component: job
cronsuite.io/entry: {{ index . 1 }}
cronsuite.io/job: {{ index . 2 }}
{{- end }}

{{/* Merges an entry into dst, a copy of defaults made with omit (a shallow copy in one call), the way Helm merges values files: maps key by key, anything else replaced (so an entry's false beats a default's true), null removes the key. A map both have is merged into a copy, never in place, since dst shares its maps with defaults: copying defaults whole for each entry (deepCopy, toYaml, fromYaml) was most of the render time of many entries. The chart's only merge. Args: (list dst entry). */}}
{{- define "cronsuite.mergeInto" -}}
{{- $dst := index . 0 }}
{{- range $key, $value := index . 1 }}
{{- if kindIs "invalid" $value }}
{{- $_ := unset $dst $key }}
{{- else if and (kindIs "map" $value) (kindIs "map" (index $dst $key)) }}
{{- $merged := omit (index $dst $key) }}
{{- include "cronsuite.mergeInto" (list $merged $value) }}
{{- $_ := set $dst $key $merged }}
{{- else }}
{{- $_ := set $dst $key $value }}
{{- end }}
{{- end }}
{{- end }}

{{/* The variables that tell a run which entry, CronJob, Job and pod it is (docs/runtime.md), as YAML list items. One toYaml for the values that need quoting or folding as toYaml does it (a long schedule folds at 80 columns), the rest written out: nine dicts through toYaml for each entry took a third of the render time of many entries. JOB_TIMEOUT and CRONSUITE_JOB_DEADLINE are digits, which toYaml double-quotes as quote does. Args: dict entry, settings, cronJob, deadline. */}}
{{- define "cronsuite.entryEnv" -}}
{{- toYaml (list
  (dict "name" "CRONSUITE_ENTRY" "value" .entry)
  (dict "name" "CRONSUITE_SCHEDULE" "value" .settings.schedule)
  (dict "name" "CRONSUITE_TIMEZONE" "value" .settings.timeZone)
  (dict "name" "CRONSUITE_CRONJOB" "value" .cronJob)
) }}
- name: CRONSUITE_K8S_JOB
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['batch.kubernetes.io/job-name']
- name: CRONSUITE_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: CRONSUITE_POD
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: JOB_TIMEOUT
  value: {{ include "cronsuite.jobTimeout" (list .entry .settings) | quote }}
- name: CRONSUITE_JOB_DEADLINE
  value: {{ .deadline | quote }}
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

{{/* activeDeadlineSeconds of an entry's Job. It bounds the whole Job, not one pod: every attempt, the backoff Kubernetes waits before each retry (10 s, doubling, at most 6 min), scheduling and image pulls. Unless set, it is (timeout + 60 s) x (backoffLimit + 1) + that backoff: every attempt gets its timeout plus 60 s to schedule and start its pod (image pull, Django start-up) and to record the run after its deadline, so a retry after a slow attempt still gets its full timeout. An explicit value must leave one attempt its timeout + 60 s. The formula's one home: nothing else computes it (its test checks figures worked out by hand). Args: (list entryName settings). */}}
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

{{/* Non-secret settings as ConfigMap data; integers and booleans become strings. With the web app on, BASE_URL defaults to its Service (sync-timetable and health-check call it). */}}
{{- define "cronsuite.configData" -}}
{{- $config := .Values.config }}
{{- if and .Values.web.enabled (not (hasKey $config "BASE_URL")) }}
{{- $config = merge (dict "BASE_URL" (include "cronsuite.webUrl" .)) $config }}
{{- end }}
{{- range $key, $value := $config }}
{{ $key }}: {{ (kindIs "float64" $value) | ternary ($value | int64) $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Name of the web app's Deployment, Service and ServiceAccount. */}}
{{- define "cronsuite.webName" -}}
{{- printf "%s-web" (include "cronsuite.fullname" .) }}
{{- end }}

{{/* The web Service's URL inside the cluster: what BASE_URL defaults to. */}}
{{- define "cronsuite.webUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "cronsuite.webName" .) .Release.Namespace (int .Values.web.service.port) }}
{{- end }}

{{/* Labels selecting the web app's pods. */}}
{{- define "cronsuite.webSelectorLabels" -}}
{{ include "cronsuite.selectorLabels" . }}
app.kubernetes.io/component: web
{{- end }}

{{/* Whether the chart renders the Role and RoleBinding: the web app's Run now in the cluster, or operations.rbac.create. */}}
{{- define "cronsuite.rbac" -}}
{{- if or (and .Values.web.enabled .Values.web.kubernetesApi) .Values.operations.rbac.create }}true{{ end }}
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

{{/* The one pod spec of the chart, used by every CronJob, the migration hook Job, the test Pods and the web Deployment. Args: dict root, settings, args, command (optional), env (YAML list items, may be empty; the settings' env follows), configName, secretName, serviceAccountName; the web's also restartPolicy (default Never), containerName (default job) and container (YAML keys added to the container: ports, probes). */}}
{{- define "cronsuite.podSpec" -}}
{{- $root := .root }}
{{- $s := .settings -}}
restartPolicy: {{ .restartPolicy | default "Never" }}
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
  - name: {{ .containerName | default "job" }}
    image: {{ include "cronsuite.image" (list $s.image $root) | quote }}
    imagePullPolicy: {{ $s.image.pullPolicy }}
    {{- with .command }}
    command: {{ toJson . }}
    {{- end }}
    args: {{ toJson .args }}
    {{- $env := list }}
    {{- with .env }}{{ $env = append $env . }}{{ end }}
    {{- with $s.env }}{{ $env = append $env (toYaml .) }}{{ end }}
    {{- with $env }}
    env:
      {{- join "\n" . | nindent 6 }}
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
    {{- with .container }}
    {{- . | nindent 4 }}
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
