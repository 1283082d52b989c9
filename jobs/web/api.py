"""The scheduler API (the old scheduler dashboard's URLs): status, trigger, statistics, and a run to follow.

Django REST framework views: a staff user's token (`Authorization: Bearer TOKEN`) or the admin's
session (POSTs with the CSRF token); every answer, refusals included, is JSON (jobs/web/auth.py).
"""

from django.urls import reverse
from django.utils import timezone
from rest_framework import status as http
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from app.chat.models import StatisticsSnapshot
from jobs import cron
from jobs import entries as chart
from jobs.models import JobRun
from jobs.web import run_now, words
from jobs.web.board import Row, board
from jobs.web.sources import BoardEntry, Source, board_entries

# The old dashboard's {"task": ...}: the housekeeping entry that runs that task (all of them: no --task).
TASK_JOB = "housekeeping"


def when(moment) -> str | None:
    return moment.isoformat() if moment else None


def run_as_dict(run: JobRun | None) -> dict | None:
    if run is None:
        return None
    return {
        "id": run.pk,
        "entry": run.entry,
        "job": run.job,
        "status": run.status,
        "trigger": run.trigger,
        "started_by": run.started_by,
        "name": run.kubernetes_job,
        "started_at": when(run.started_at),
        "finished_at": when(run.finished_at),
        "duration_seconds": run.duration_seconds,
        "exit_code": run.exit_code,
        "exit_meaning": words.exit_meaning(run.exit_code),
        "error": run.error,
        "url": reverse("admin:runs_jobrun_change", args=[run.pk]),
    }


def row_as_dict(row: Row) -> dict:
    entry = row.entry
    return {
        "entry": entry.name,
        "job": entry.job,
        "args": entry.args,
        "schedule": entry.schedule,
        "time_zone": entry.time_zone,
        "schedule_in_words": row.in_words,
        "suspended": entry.suspended,
        "state": row.state.word,
        "state_since": when(row.state.since),
        "failing_since": when(row.latest.first_failure and row.latest.first_failure.started_at),
        "last_run": run_as_dict(row.latest.outcome),
        "last_success_at": when(row.latest.success and row.latest.success.started_at),
        "last_schedule": when(entry.last_schedule),
        "next_runs": [t.isoformat() for t in chart_next_runs(entry)],
        "drift": entry.drift,
    }


def chart_next_runs(entry: BoardEntry, count: int = 3) -> list:
    if entry.suspended:
        return []
    return cron.next_runs(entry.schedule, entry.time_zone, timezone.now(), count)


class Status(APIView):
    required_permission = "runs.view_jobrun"

    def get(self, request):
        shown = board(timezone.now())
        body = {"source": shown.source.where, "entries": [row_as_dict(r) for r in shown.rows]}
        if shown.source.problem:
            body["problem"] = shown.source.problem
        return Response(body)


def entry_asked(body, source: Source) -> BoardEntry:
    """{"entry": NAME}, or the old dashboard's {"task": "all"} / {"task": "stats"} (a housekeeping task)."""
    if not isinstance(body, dict) or not ({"entry", "task"} & set(body)):
        raise ParseError('Send {"entry": "<schedule entry>"} or {"task": "all"}.')
    try:
        if "entry" in body:
            return source.find(str(body["entry"]))
        return entry_for_task(str(body["task"]), source)
    except chart.UnknownEntry as e:
        raise NotFound(str(e)[0].upper() + str(e)[1:])


def entry_for_task(task: str, source: Source) -> BoardEntry:
    wanted = [] if task == "all" else ["--task", task]
    for entry in source.entries:
        if entry.job == TASK_JOB and entry.args == wanted:
            return entry
    tasks = sorted(
        "all" if not e.args else e.args[-1]
        for e in source.entries
        if e.job == TASK_JOB and (not e.args or e.args[0] == "--task")
    )
    raise chart.UnknownEntry(
        f"no schedule entry runs {TASK_JOB} task {task!r}; tasks with an entry: "
        f"{', '.join(tasks) or 'none'}."
    )


class Trigger(APIView):
    required_permission = "runs.run_now"

    def post(self, request):
        entry = entry_asked(request.data, board_entries())
        try:
            started = run_now.start(entry, request.user)
        except Exception as e:  # noqa: BLE001 - the Kubernetes API or the local process said no
            return Response({"error": f"Could not start {entry.name}: {e}"}, status=502)
        follow = reverse("scheduler-run", args=[started.name])
        body = {"entry": entry.name, "started": started.sentence, "run": started.name}
        return Response({**body, "follow": follow}, status=http.HTTP_202_ACCEPTED)


class Run(APIView):
    """A run by its id, or by the name Run now gave it (404 until its process records it)."""

    required_permission = "runs.view_jobrun"

    def get(self, request, name: str):
        by_id = name.isdigit() and len(name) < 19  # a bigint
        runs = JobRun.objects.filter(pk=int(name)) if by_id else JobRun.objects.none()
        run = runs.first() or JobRun.objects.filter(kubernetes_job=name).first()
        if run is None:
            raise NotFound(
                f"No run {name!r} recorded yet: a run records itself once its process starts."
            )
        return Response(run_as_dict(run))


class Statistics(APIView):
    required_permission = "chat.view_statisticssnapshot"

    def get(self, request):
        snapshot = StatisticsSnapshot.objects.first()
        if snapshot is None:
            raise NotFound("No statistics yet: run housekeeping --task stats.")
        return Response({"created_at": when(snapshot.created_at), **snapshot.as_dict()})


class NoSuchEndpoint(APIView):
    """Any other URL under the API answers JSON too, not Django's HTML 404 page; and only once
    the caller is staff (401 or 403 before), like every endpoint: the API's map is staff's."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Every method comes here (the view defines none) after authentication and permissions.
        raise NotFound(f"No API endpoint {request.path}.")
