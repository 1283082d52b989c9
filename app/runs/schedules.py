"""The admin's schedule page (seed 001's scheduler dashboard, the Kubernetes way): every chart
entry with its next runs and last run, and a "Run now" button.

In a cluster, "Run now" creates a Job from the entry's CronJob exactly as
`kubectl create job --from` does; on one machine it starts `python -m jobs run` in the
background. Either way the run takes the job's lock and records itself like any other."""

import os
import subprocess
import sys
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from app.runs.models import JobRun
from jobs import schedule


@dataclass
class EntryStatus:
    entry: schedule.Entry
    last_run: JobRun | None
    last_success: JobRun | None


def entry_statuses() -> list[EntryStatus]:
    found = schedule.describe()
    return [
        EntryStatus(
            entry,
            JobRun.objects.filter(entry=entry.name).first(),
            JobRun.objects.filter(entry=entry.name, status=JobRun.Status.SUCCEEDED).first(),
        )
        for entry in found
    ]


@permission_required("runs.view_jobrun")
def schedules_view(request):
    context = {
        **admin.site.each_context(request),
        "title": "Schedules",
        "statuses": entry_statuses(),
        "in_cluster": bool(settings.CRONSUITE_CRONJOB_PREFIX),
    }
    return TemplateResponse(request, "admin/runs/schedules.html", context)


@require_POST
@permission_required("runs.run_now", raise_exception=True)
def run_now_view(request, entry_name: str):
    entry = next((e for e in schedule.describe() if e.name == entry_name), None)
    if entry is None:
        raise Http404(f"No schedule entry {entry_name!r}.")
    try:
        messages.success(request, start(entry))
    except Exception as e:  # noqa: BLE001 - the Kubernetes API or the local process said no
        messages.error(request, f"Could not start {entry.name}: {e}")
    return redirect("admin-schedules")


def start(entry: schedule.Entry) -> str:
    if settings.CRONSUITE_CRONJOB_PREFIX:
        return start_in_cluster(entry)
    return start_locally(entry)


def start_in_cluster(entry: schedule.Entry) -> str:
    from k8s.trigger import batch_api, run_now

    cronjob = f"{settings.CRONSUITE_CRONJOB_PREFIX}{entry.name}"
    job = run_now(batch_api(), settings.CRONSUITE_NAMESPACE, cronjob)
    return f"Created Job {job['metadata']['name']} from CronJob {cronjob}."


def start_locally(entry: schedule.Entry) -> str:
    # Not a setting: the child reads its own settings from the same environment the web app has.
    environment = {**os.environ, "CRONSUITE_ENTRY": entry.name}
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "run", entry.job, *entry.args],
        cwd=settings.BASE_DIR,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the request, and is not killed with the web worker
    )
    return f"Started {entry.name} on this machine (process {process.pid}); see Job runs."
