"""The runtime's words, each defined once: a run's status, its trigger, and the exit codes.

Everything else (the JobRun model, metrics, the daily report, the admin, the dashboard generator)
takes its words from here.
"""

from enum import IntEnum

from django.db import models


class Status(models.TextChoices):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"
    TIMED_OUT = "timed_out"


# The statuses of a run that did not do its work.
FAILURES = (Status.FAILED, Status.TIMED_OUT, Status.INTERRUPTED)
# The statuses a run can end with after it started working (a skipped run never starts).
RUN_STATUSES = (
    Status.RUNNING,
    Status.SUCCEEDED,
    Status.FAILED,
    Status.TIMED_OUT,
    Status.INTERRUPTED,
)


class Trigger(models.TextChoices):
    """How a run was started."""

    SCHEDULED = "scheduled"  # the CronJob controller, at the entry's scheduled time
    MANUAL = "manual"  # a person: `kubectl create job --from`, the admin's Run now
    LOCAL = "local"  # a shell or manage.py on a machine without Kubernetes


class ExitCode(IntEnum):
    SUCCEEDED = 0  # or skipped: another run holds the lock
    FAILED = 1
    CONFIGURATION = 2  # usage or configuration: retrying cannot help
    TIMED_OUT = 124
    INTERRUPTED = 130  # SIGINT (Ctrl-C)
    TERMINATED = 143  # SIGTERM


MEANINGS = {
    ExitCode.SUCCEEDED: "succeeded, or skipped because another run holds the lock",
    ExitCode.FAILED: "failed",
    ExitCode.CONFIGURATION: "usage or configuration error (not retried)",
    ExitCode.TIMED_OUT: "deadline exceeded",
    ExitCode.INTERRUPTED: "stopped by SIGINT",
    ExitCode.TERMINATED: "stopped by SIGTERM",
}
