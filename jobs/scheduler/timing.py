"""When an entry runs, as the Kubernetes CronJob and Job controllers decide it: pure functions of
the time they are given (the clock is injected), so every case is a fast test.

- A fire is the latest due time not yet handled: after downtime, at most one run per entry.
- `startingDeadlineSeconds` is the misfire grace: a fire later than that is dropped, not run.
- `concurrencyPolicy`: Forbid skips a fire while the entry's previous run is active (running or
  waiting to retry), Replace stops that run and starts the new one, Allow starts it beside.
- `backoffLimit` retries a failed attempt after Kubernetes' pod backoff (10 s, doubling, at most
  6 min), never after exit 2 (the chart's podFailurePolicy fails the Job at once).
- Each attempt is bounded by its `timeout`, which the child enforces itself (exit 124); the
  scheduler's backstop stops a child still there STARTUP_ALLOWANCE seconds later. An explicit
  `activeDeadlineSeconds` bounds the whole run, every attempt and the waits between them.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property

from jobs import cron
from jobs.runtime.vocabulary import ExitCode

FIRST_BACKOFF_SECONDS = 10
MAX_BACKOFF_SECONDS = 360
# A child records its own timeout (exit 124) once Django has started and the run is recorded,
# and exits within 5 s of it: past this much more, the child is stuck and the scheduler stops it.
STARTUP_ALLOWANCE = 10
# Kubernetes' defaults, for a setting a values file removed with null.
DEFAULT_BACKOFF_LIMIT = 6
DEFAULT_GRACE_SECONDS = 30
# CronSim's clocks can move a fire time by an hour at a DST change; a minute for rounding.
DST_MARGIN = timedelta(hours=1, minutes=1)
# A catch-up over more than this looks back over the longest gap only, not every fire since.
CATCH_UP_DAY = timedelta(days=1)


class Concurrency(StrEnum):
    FORBID = "Forbid"
    ALLOW = "Allow"
    REPLACE = "Replace"


class Action(StrEnum):
    """What to do with a fire that is due."""

    START = "start"
    SKIP = "skip"  # Forbid, while the previous run is active
    REPLACE = "replace"  # stop the previous run, then start
    MISSED = "missed"  # later than startingDeadlineSeconds


@dataclass(frozen=True)
class Timing:
    """What an entry's settings say about time."""

    schedule: str
    time_zone: str
    concurrency: Concurrency = Concurrency.FORBID
    starting_deadline: int | None = None
    backoff_limit: int = DEFAULT_BACKOFF_LIMIT
    timeout: int = 3600
    run_deadline: int | None = None  # an explicit activeDeadlineSeconds, else no bound
    grace: int = DEFAULT_GRACE_SECONDS

    @cached_property
    def lookback(self) -> timedelta:
        """How far back the latest fire can be: the longest gap between two fire times, and a
        DST hour. Computed only for a catch-up over more than a day: 64 fire times to find."""
        gap = cron.expected_interval_seconds(self.schedule, self.time_zone)
        return timedelta(seconds=gap) + DST_MARGIN

    @classmethod
    def of(cls, settings: dict) -> "Timing":
        """From an entry's merged settings (validated by jobs.scheduler.config)."""
        return cls(
            schedule=settings["schedule"],
            time_zone=settings.get("timeZone") or "UTC",
            concurrency=Concurrency(settings.get("concurrencyPolicy", "Allow")),
            starting_deadline=settings.get("startingDeadlineSeconds"),
            backoff_limit=settings.get("backoffLimit", DEFAULT_BACKOFF_LIMIT),
            timeout=settings["timeout"],
            run_deadline=settings.get("activeDeadlineSeconds"),
            grace=settings.get("terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS),
        )


# Fire times are returned in UTC: two datetimes of one time zone compare and subtract by their
# wall clocks, blind to which pass of a repeated hour they are in.
def next_due(timing: Timing, after: datetime) -> datetime:
    """The first fire time strictly after `after`."""
    return cron.next_run(timing.schedule, timing.time_zone, after).astimezone(UTC)


def latest_due(timing: Timing, after: datetime, now: datetime) -> datetime | None:
    """The latest fire time in (after, now], or None: the one run owed, however many were missed."""
    start = after
    if now - after > CATCH_UP_DAY:  # never further back than the longest gap between fires
        start = max(after, now - timing.lookback)
    latest = None
    for due in cron.fire_times(timing.schedule, timing.time_zone, start):
        if due > now:
            return latest
        latest = due.astimezone(UTC)
    return latest


def too_late(timing: Timing, due: datetime, now: datetime) -> bool:
    """Missed by more than startingDeadlineSeconds (unset: never too late)."""
    deadline = timing.starting_deadline
    return deadline is not None and (now - due).total_seconds() > deadline


def action(timing: Timing, due: datetime, now: datetime, active: bool) -> Action:
    """What a due fire becomes, given whether the entry's previous run is still active."""
    if too_late(timing, due, now):
        return Action.MISSED
    if not active or timing.concurrency == Concurrency.ALLOW:
        return Action.START
    return Action.SKIP if timing.concurrency == Concurrency.FORBID else Action.REPLACE


def backoff(failures: int) -> int:
    """Seconds before the retry that follows the `failures`-th failed attempt (1, 2, ...)."""
    return min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (failures - 1))


def retries(timing: Timing, exit_code: int, failures: int) -> bool:
    """Is a failed attempt retried? Not after exit 2 (retrying cannot help), not past the limit."""
    if exit_code in (ExitCode.SUCCEEDED, ExitCode.CONFIGURATION):
        return False
    return failures <= timing.backoff_limit


def attempt_ends(timing: Timing, started: datetime) -> datetime:
    """When a child still there is stopped (SIGTERM): its timeout, then the start-up allowance."""
    return started + timedelta(seconds=timing.timeout + STARTUP_ALLOWANCE)


def kill_at(timing: Timing, terminated: datetime) -> datetime:
    """When a child that was sent SIGTERM and is still there gets SIGKILL."""
    return terminated + timedelta(seconds=timing.grace)


def run_ends(timing: Timing, run_started: datetime) -> datetime | None:
    """When an explicit activeDeadlineSeconds stops the whole run, or None."""
    if timing.run_deadline is None:
        return None
    return run_started + timedelta(seconds=timing.run_deadline)
