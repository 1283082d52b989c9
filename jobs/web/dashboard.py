"""The scheduler dashboard (the old scheduler dashboard), a page of the admin: every entry's state,
last outcome and error, last success, next run and Run now; the latest runs and statistics.

The page refreshes its board every 30 s without reloading (jobs/static/runs/board.js fetches
`board/`, the same template's fragment); Run now asks for a confirmation, then calls the API's
trigger. Without JavaScript, Run now opens a confirmation page that posts here."""

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from jobs import entries as chart
from jobs.web import run_now
from jobs.web.board import board
from jobs.web.sources import board_entries

REFRESH_SECONDS = 30


def staff_page(permission: str):
    """Staff without `permission`: 403. Who is not staff never gets here (jobs/web/staff_only.py)."""

    def decorate(view):
        @wraps(view)
        @never_cache
        def check(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return check

    return decorate


def context(request, **more) -> dict:
    return {**admin.site.each_context(request), "refresh_seconds": REFRESH_SECONDS, **more}


@staff_page("runs.view_jobrun")
def dashboard(request):
    page = context(request, title="Scheduler", board=board(timezone.now()))
    return TemplateResponse(request, "admin/runs/dashboard.html", page)


@staff_page("runs.view_jobrun")
def board_fragment(request):
    page = context(request, board=board(timezone.now()))
    return TemplateResponse(request, "admin/runs/board.html", page)


@staff_page("runs.run_now")
@require_http_methods(["GET", "POST"])
def run_now_page(request, entry_name: str):
    try:
        entry = board_entries().find(entry_name)
    except chart.UnknownEntry as e:
        raise Http404(str(e))
    if request.method == "GET":
        page = context(request, title=f"Run {entry.name} now?", entry=entry)
        return TemplateResponse(request, "admin/runs/run_now.html", page)
    try:
        messages.success(request, run_now.start(entry, request.user).sentence)
    except Exception as e:  # noqa: BLE001 - the Kubernetes API or the local process said no
        messages.error(request, f"Could not start {entry.name}: {e}")
    return redirect("scheduler-dashboard")
