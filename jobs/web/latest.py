"""What the dashboard needs of every entry's runs, in one query whatever the history's size:
its last outcome (skips ignored), its last success, and the first failure since that success.

Each is one scalar subquery per entry (`id = (SELECT id ... ORDER BY started_at LIMIT 1)`), an
index lookup on (entry, status, started_at) or (entry, started_at); the subqueries are joined with
OR into one statement, so the page costs the same with 10 runs or 1,000,000 (tests/web/
test_queries.py, bench/web.py). A run may play several roles; they are told apart in Python.
Composing those subqueries through the ORM costs more than running them, so the SQL is built
once per set of entries and kept."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce

from jobs.models import JobRun
from jobs.runtime.vocabulary import FAILURES, Status

BEFORE_ANY_RUN = datetime(1970, 1, 1, tzinfo=UTC)
NEWEST_FIRST = ("-started_at", "-pk")


@dataclass(frozen=True)
class Latest:
    outcome: JobRun | None = None  # the last run that was not skipped (maybe still running)
    success: JobRun | None = None  # the last run that succeeded
    first_failure: JobRun | None = None  # the first failure after it: failing since then


def one_id(runs) -> Subquery:
    return Subquery(runs.values("pk")[:1])


def roles(entry: str) -> Q:
    runs = JobRun.objects.filter(entry=entry)
    successes = runs.filter(status=Status.SUCCEEDED).order_by(*NEWEST_FIRST)
    after_success = Coalesce(Subquery(successes.values("started_at")[:1]), Value(BEFORE_ANY_RUN))
    failures = runs.filter(status__in=FAILURES, started_at__gt=after_success)
    return (
        Q(pk=one_id(runs.exclude(status=Status.SKIPPED).order_by(*NEWEST_FIRST)))
        | Q(pk=one_id(successes))
        | Q(pk=one_id(failures.order_by("started_at", "pk")))
    )


@lru_cache(maxsize=16)
def statement(entries: tuple[str, ...]) -> tuple[str, tuple]:
    """The query's SQL and parameters for these entries (they change with the chart only)."""
    wanted = Q()
    for entry in entries:
        wanted |= roles(entry)
    runs = JobRun.objects.filter(wanted).order_by().defer("traceback", "arguments", "counts")
    return runs.query.sql_with_params()


def latest_runs(entries: list[str]) -> dict[str, Latest]:
    if not entries:
        return {}
    found: dict[str, list[JobRun]] = {entry: [] for entry in entries}
    for run in JobRun.objects.raw(*statement(tuple(entries))):
        found[run.entry].append(run)
    return {entry: sorted_out(runs) for entry, runs in found.items()}


def sorted_out(runs: list[JobRun]) -> Latest:
    """The roles of an entry's runs: each role's run is among them, and nothing else is."""
    newest_first = sorted(runs, key=lambda r: (r.started_at, r.pk), reverse=True)
    success = next((r for r in newest_first if r.status == Status.SUCCEEDED), None)
    since = success.started_at if success else BEFORE_ANY_RUN
    failures = [r for r in newest_first if r.status in FAILURES and r.started_at > since]
    return Latest(
        outcome=newest_first[0] if newest_first else None,
        success=success,
        first_failure=failures[-1] if failures else None,
    )
