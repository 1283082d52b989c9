"""The scheduler API for staff, on the admin's session: status, run now, statistics.

The URLs and answers of the previous scheduler dashboard's API, with the data and the Run now of
the admin's Entries page. Callers are staff with the model permission; a POST carries Django's
CSRF token (the `csrftoken` cookie sent back as an `X-CSRFToken` header), like any admin form."""

import json
from functools import wraps

from django.contrib.auth.decorators import permission_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from app.chat.models import StatisticsSnapshot
from jobs import entries
from jobs import run_now as starting
from jobs.web.entries import entry_statuses


def staff_only(view):
    @wraps(view)
    def check(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            return JsonResponse({"error": "Staff only: log in to the admin first."}, status=403)
        return view(request, *args, **kwargs)

    return check


def run_as_dict(run) -> dict | None:
    if run is None:
        return None
    return {
        "status": run.status,
        "trigger": run.trigger,
        "started_at": run.started_at.isoformat(),
        "duration_seconds": run.duration_seconds,
        "exit_code": run.exit_code,
        "counts": run.counts,
        "error": run.error,
    }


@require_GET
@staff_only
@permission_required("runs.view_jobrun", raise_exception=True)
def status(request):
    found = [
        {
            **s.entry.as_dict(),
            "last_run": run_as_dict(s.last_run),
            "last_success_at": s.last_success.started_at.isoformat() if s.last_success else None,
        }
        for s in entry_statuses()
    ]
    return JsonResponse({"entries": found})


@require_POST
@staff_only
@permission_required("runs.run_now", raise_exception=True)
def run_now(request):
    try:
        name = json.loads(request.body or b"{}")["entry"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'Send {"entry": "<schedule entry>"}.'}, status=400)
    try:
        entry = entries.find(name)
    except entries.UnknownEntry:
        return JsonResponse({"error": f"No schedule entry {name!r}."}, status=404)
    try:
        started = starting.start(entry)
    except Exception as e:  # noqa: BLE001 - the Kubernetes API or the local process said no
        return JsonResponse({"error": f"Could not start {name}: {e}"}, status=502)
    return JsonResponse({"entry": name, "started": started}, status=202)


@require_GET
@staff_only
@permission_required("chat.view_statisticssnapshot", raise_exception=True)
def statistics(request):
    snapshot = StatisticsSnapshot.objects.first()
    if snapshot is None:
        return JsonResponse(
            {"error": "No statistics yet: run housekeeping --task stats."}, status=404
        )
    return JsonResponse({"created_at": snapshot.created_at.isoformat(), **snapshot.as_dict()})
