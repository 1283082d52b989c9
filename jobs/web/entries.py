"""The admin's Entries page (the scheduler dashboard, the Kubernetes way): every chart entry with
its next runs and last run, and a "Run now" button (jobs/run_now.py)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from jobs import entries, run_now
from jobs.models import JobRun


@dataclass
class EntryStatus:
    entry: entries.Entry
    last_run: JobRun | None
    last_success: JobRun | None


def entry_statuses() -> list[EntryStatus]:
    return [
        EntryStatus(
            entry,
            JobRun.objects.filter(entry=entry.name).first(),
            JobRun.objects.filter(entry=entry.name, status=JobRun.Status.SUCCEEDED).first(),
        )
        for entry in entries.load()
    ]


@permission_required("runs.view_jobrun")
def entries_view(request):
    context = {
        **admin.site.each_context(request),
        "title": "Schedule entries",
        "statuses": entry_statuses(),
        "in_cluster": bool(settings.CRONSUITE_CRONJOB_PREFIX),
    }
    return TemplateResponse(request, "admin/runs/entries.html", context)


@require_POST
@permission_required("runs.run_now", raise_exception=True)
def run_now_view(request, entry_name: str):
    try:
        entry = entries.find(entry_name)
    except entries.UnknownEntry as e:
        raise Http404(str(e))
    try:
        messages.success(request, run_now.start(entry))
    except Exception as e:  # noqa: BLE001 - the Kubernetes API or the local process said no
        messages.error(request, f"Could not start {entry.name}: {e}")
    return redirect("admin-entries")
