"""cleanup-logs (Celery's `cleanup_old_logs`, the FastAPI scheduler's cleanup): the retention boundary, the runs kept per
entry, batches and dry runs, step by step against the real database, then through the real
entrypoint."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User

from jobs.catalog import cleanup_logs
from jobs.models import JobRun
from tests.support.processes import run_job
from tests.support.runs import NOW, bare_run, make_run

DAY = timedelta(days=1)


def make_log_entry(user, age):
    entry = LogEntry.objects.create(
        user=user, object_repr="x", action_flag=ADDITION, change_message=""
    )
    LogEntry.objects.filter(pk=entry.pk).update(action_time=NOW - age)  # auto_now on create
    return entry


def prune_runs(days=30, keep=0, dry_run=False):
    run = bare_run("cleanup-logs")
    before = cleanup_logs.cutoff(NOW, days)
    cleanup_logs.prune(run, "job_runs", cleanup_logs.old_runs(before, keep), dry_run)
    return run


@pytest.fixture
def admin_user(db):
    return User.objects.create_user("admin", is_staff=True)


@pytest.mark.django_db
def test_it_deletes_runs_older_than_retention_and_keeps_one_exactly_at_it():
    make_run("hourly", 30 * DAY + timedelta(microseconds=1))
    at_retention = make_run("hourly", 30 * DAY)
    recent = make_run("hourly", 29 * DAY)

    run = prune_runs(days=30, keep=0)

    # It should keep a run exactly LOG_RETENTION_DAYS old: it is not older than the retention.
    assert set(JobRun.objects.all()) == {at_retention, recent}
    assert run.counts == Counter(job_runs=1)


@pytest.mark.django_db
def test_it_keeps_the_last_runs_of_a_rarely_run_job():
    monthly = [make_run("monthly", days * DAY) for days in (150, 120, 90, 60)]
    hourly_old = [make_run("hourly", 40 * DAY + hours * timedelta(hours=1)) for hours in range(5)]
    hourly_recent = [make_run("hourly", hours * timedelta(hours=1)) for hours in range(3)]

    run = prune_runs(days=30, keep=3)

    # It should keep the newest 3 runs of "monthly" although all are old...
    assert set(JobRun.objects.filter(entry="monthly")) == set(monthly[1:])
    # ...and delete every old run of "hourly", whose newest 3 runs are recent.
    assert set(JobRun.objects.filter(entry="hourly")) == set(hourly_recent)
    assert run.counts == Counter(job_runs=1 + len(hourly_old))


@pytest.mark.django_db
def test_it_keeps_runs_per_entry_so_each_entry_of_a_job_keeps_its_history():
    nightly = make_run("stats-nightly", 90 * DAY, job="housekeeping")
    weekly = make_run("stats-weekly", 80 * DAY, job="housekeeping")

    prune_runs(days=30, keep=1)

    assert set(JobRun.objects.all()) == {nightly, weekly}


@pytest.mark.django_db
def test_it_deletes_an_old_running_row_of_a_crashed_run_unless_it_is_kept():
    crashed = make_run("sync", 45 * DAY, status=JobRun.Status.RUNNING)
    kept = make_run("rare", 45 * DAY, status=JobRun.Status.RUNNING)
    make_run("sync", DAY)

    prune_runs(days=30, keep=1)

    assert not JobRun.objects.filter(pk=crashed.pk).exists()
    assert JobRun.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_it_deletes_in_batches_until_nothing_is_left():
    for days in range(31, 36):
        make_run("hourly", days * DAY)
    old = cleanup_logs.old_runs(cleanup_logs.cutoff(NOW, 30), keep=0)

    # It should delete at most one batch per call, and say 0 when done.
    assert [cleanup_logs.delete_batch(old, 2) for _ in range(4)] == [2, 2, 1, 0]
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_it_reports_both_kinds_when_nothing_is_old_enough():
    make_run("hourly", DAY)
    run = bare_run("cleanup-logs")

    cleanup_logs.CleanupLogs().handle(run)

    assert dict(run.counts) == {"job_runs": 0, "admin_log_entries": 0}
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
def test_it_counts_in_a_dry_run_and_deletes_nothing():
    for days in (31, 32, 33):
        make_run("hourly", days * DAY)

    run = prune_runs(days=30, keep=1, dry_run=True)

    assert run.counts == Counter(job_runs=2)
    assert JobRun.objects.count() == 3


@pytest.mark.django_db
def test_it_deletes_admin_log_entries_older_than_retention(admin_user):
    make_log_entry(admin_user, 31 * DAY)
    at_retention = make_log_entry(admin_user, 30 * DAY)
    run = bare_run("cleanup-logs")

    cleanup_logs.prune(
        run, "admin_log_entries", cleanup_logs.old_log_entries(cleanup_logs.cutoff(NOW, 30)), False
    )

    assert list(LogEntry.objects.all()) == [at_retention]
    assert run.counts == Counter(admin_log_entries=1)


# The real entrypoint.

real_entrypoint = pytest.mark.django_db(transaction=True)


@real_entrypoint
def test_it_prunes_through_the_real_entrypoint(admin_user):
    rare = make_run("monthly", 200 * DAY)
    make_run("hourly", 31 * DAY)
    make_run("hourly", 32 * DAY)
    recent = make_run("hourly", DAY)
    make_log_entry(admin_user, 31 * DAY)

    result = run_job(
        "run", "cleanup-logs", LOG_RETENTION_DAYS=30, LOG_KEEP_RUNS=1, LOG_CLEANUP_BATCH_SIZE=1
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.summary["counts"] == {"job_runs": 2, "admin_log_entries": 1}
    # It should keep the rare job's only run, the recent one, and its own record.
    own = JobRun.objects.get(job="cleanup-logs")
    assert set(JobRun.objects.all()) == {rare, recent, own}
    assert own.counts == {"job_runs": 2, "admin_log_entries": 1}
    assert not LogEntry.objects.exists()


@real_entrypoint
def test_a_dry_run_through_the_entrypoint_reports_and_deletes_nothing(admin_user):
    make_run("hourly", 31 * DAY)
    make_run("hourly", 10 * DAY)
    make_log_entry(admin_user, 31 * DAY)

    result = run_job("run", "cleanup-logs", "--dry-run", "--days", "5", "--keep", "0")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.summary["counts"] == {"job_runs": 2, "admin_log_entries": 1}
    assert JobRun.objects.filter(job="hourly").count() == 2
    assert LogEntry.objects.count() == 1


@real_entrypoint
def test_a_negative_keep_exits_2_before_anything_runs():
    result = run_job("run", "cleanup-logs", "--keep", "-1")

    assert result.returncode == 2
    assert "argument --keep: '-1' must be at least 0" in result.stderr
    assert not JobRun.objects.exists()


@real_entrypoint
def test_an_invalid_retention_setting_exits_2_naming_it():
    result = run_job("run", "cleanup-logs", LOG_RETENTION_DAYS="0")

    assert result.returncode == 2
    assert "LOG_RETENTION_DAYS must be at least 1, got 0" in result.stderr
    assert not JobRun.objects.exists()
