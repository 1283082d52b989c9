"""Prunes old run history (Celery's `cleanup_old_logs`, the FastAPI scheduler's cleanup): `JobRun` rows and the
admin's `LogEntry` rows older than LOG_RETENTION_DAYS.

The last LOG_KEEP_RUNS runs of every schedule entry are always kept, however old, so the history
of a rarely run job never disappears. Keeping per entry (not per job name) keeps at least as much:
a job with two entries keeps the last runs of each.

A `running` row older than the retention is a run that crashed without recording its end (no run
lives for days: JOB_TIMEOUT bounds it), so it is pruned like any other row unless it is kept.

Deletes go in batches of LOG_CLEANUP_BATCH_SIZE, each its own short transaction: a run stopped at
any moment has deleted whole batches only, and a second run just finishes the work.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from jobs.models import JobRun
from jobs.runtime.job import Job
from jobs.runtime.options import non_negative_int, positive_int
from jobs.runtime.run import Run

# Every kind is reported, zero included (docs/runtime.md, "Counts").
KINDS = ("job_runs", "admin_log_entries")


def cutoff(now: datetime, days: int) -> datetime:
    """Rows strictly older than this go; a row exactly `days` old stays."""
    return now - timedelta(days=days)


def kept_run_ids(keep: int) -> set[int]:
    """The newest `keep` runs of every entry (one small query per entry, on its index)."""
    if keep == 0:
        return set()
    entries = JobRun.objects.order_by().values_list("entry", flat=True).distinct()
    return {
        pk
        for entry in entries
        for pk in JobRun.objects.filter(entry=entry)
        .order_by("-started_at", "-pk")
        .values_list("pk", flat=True)[:keep]
    }


def old_runs(before: datetime, keep: int) -> QuerySet:
    return JobRun.objects.filter(started_at__lt=before).exclude(pk__in=kept_run_ids(keep))


def old_log_entries(before: datetime) -> QuerySet:
    return LogEntry.objects.filter(action_time__lt=before)


def delete_batch(queryset: QuerySet, size: int) -> int:
    """Delete up to `size` rows of queryset in one transaction; how many went (0: done)."""
    with transaction.atomic():
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:size])
        deleted, _ = queryset.model.objects.filter(pk__in=pks).delete()
    return deleted


def prune(run: Run, kind: str, queryset: QuerySet, dry_run: bool) -> None:
    if dry_run:
        run.count(kind, queryset.count())
        return
    while prune_step(run, kind, queryset):
        pass


def prune_step(run: Run, kind: str, queryset: QuerySet) -> bool:
    """One batch, its count added only if it commits."""
    with run.batch() as counts:
        counts[kind] = delete_batch(queryset, settings.LOG_CLEANUP_BATCH_SIZE)
    if counts[kind]:
        run.log.debug(
            "cleanup.batch", f"Deleted {counts[kind]} {kind}.", kind=kind, count=counts[kind]
        )
    return counts[kind] > 0


class CleanupLogs(Job):
    name = "cleanup-logs"
    help = (
        "Delete run history and admin log entries older than LOG_RETENTION_DAYS, "
        "keeping each entry's last runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=positive_int,
            help="delete rows older than this (default: LOG_RETENTION_DAYS)",
        )
        parser.add_argument(
            "--keep",
            type=non_negative_int,
            help="runs of every entry kept however old (default: LOG_KEEP_RUNS)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, change nothing"
        )

    def handle(
        self, run: Run, days: int | None = None, keep: int | None = None, dry_run: bool = False
    ):
        days = days or settings.LOG_RETENTION_DAYS
        keep = settings.LOG_KEEP_RUNS if keep is None else keep
        before = cutoff(timezone.now(), days)
        for kind in KINDS:
            run.count(kind, 0)
        prune(run, "job_runs", old_runs(before, keep), dry_run)
        prune(run, "admin_log_entries", old_log_entries(before), dry_run)
        run.log.info(
            "cleanup.done",
            f"Pruned rows older than {days} days{' (dry run)' if dry_run else ''}.",
            days=days,
            keep=keep,
            before=before.isoformat(),
            dry_run=dry_run,
            counts=dict(run.counts),
        )
