"""Runs as the tests need them: one NOW, JobRun rows written by hand, and a Run for calling a
job's functions directly (no runner, no lock, no interrupts)."""

from datetime import timedelta

from django.utils import timezone

from jobs.models import JobRun
from jobs.runtime.logs import EventLog
from jobs.runtime.run import Run
from jobs.runtime.vocabulary import Status, Trigger

NOW = timezone.now()
# How long every finished run of make_run took.
RUN_DURATION = timedelta(seconds=5)


def make_run(
    entry: str,
    age: timedelta,
    status: str = Status.SUCCEEDED,
    *,
    job: str | None = None,
    error: str = "",
    exit_code: int | None = None,
    trigger: str = Trigger.SCHEDULED,
) -> JobRun:
    """A run of `entry` that started `age` before NOW; finished unless it is still running."""
    if exit_code is None:
        exit_code = 0 if status in (Status.SUCCEEDED, Status.SKIPPED) else 1
    return JobRun.objects.create(
        job=job or entry,
        entry=entry,
        trigger=trigger,
        started_at=NOW - age,
        finished_at=None if status == Status.RUNNING else NOW - age + RUN_DURATION,
        status=status,
        exit_code=None if status == Status.RUNNING else exit_code,
        error=error,
    )


def bare_run(job_name: str) -> Run:
    """What a job's handle() gets, for tests that call a job's functions directly."""
    return Run(job_name, job_name, EventLog())
