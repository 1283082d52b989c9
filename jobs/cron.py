"""Cron expressions as Kubernetes reads them: fire times, intervals, DST (cronsim underneath).

One meaning of "schedule" in cronsuite: a five-field cron expression (or a macro such as @daily)
read in an IANA time zone, as a CronJob's `schedule` and `timeZone`.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

# Kubernetes (robfig/cron) accepts these macros; cronsim does not, so they are expanded here.
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
# Enough fire times to cover a year of a weekly schedule and every DST switch of a daily one.
INTERVAL_SAMPLE = 64


class CronError(ValueError):
    """A cron expression or time zone Kubernetes would not accept."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"unknown time zone {name!r}") from None


def expand(schedule: str) -> str:
    """The five fields of a schedule, macros expanded; CronError if it has another shape."""
    expression = MACROS.get(schedule.strip().lower(), schedule.strip())
    if len(expression.split()) != 5:
        raise CronError(
            f"{schedule!r} is not a 5-field cron expression (minute hour day month weekday)"
        )
    return expression


def fire_times(schedule: str, tz: str = "UTC", now: datetime | None = None) -> Iterator[datetime]:
    """The schedule's fire times strictly after `now`, as aware datetimes in the time zone `tz`."""
    start = (now or datetime.now(UTC)).astimezone(zone(tz))
    try:
        # CronSim on a ZoneInfo datetime handles DST like cronie (Debian's cron) does.
        return CronSim(expand(schedule), start)
    except CronSimError as e:
        raise CronError(f"{schedule!r}: {e}") from None


def validate(schedule: str, tz: str = "UTC") -> None:
    """CronError unless Kubernetes would accept this schedule in this time zone."""
    next(fire_times(schedule, tz))


def next_run(schedule: str, tz: str = "UTC", now: datetime | None = None) -> datetime:
    return next(fire_times(schedule, tz, now))


def next_runs(
    schedule: str, tz: str = "UTC", now: datetime | None = None, count: int = 3
) -> list[datetime]:
    times = fire_times(schedule, tz, now)
    return [next(times) for _ in range(count)]


def expected_interval_seconds(schedule: str, tz: str = "UTC", now: datetime | None = None) -> float:
    """Longest real gap between consecutive fire times among the next 64 (DST included)."""
    # Timestamps, not datetimes: subtracting two datetimes of one zone ignores DST shifts.
    times = [t.timestamp() for t in next_runs(schedule, tz, now, INTERVAL_SAMPLE)]
    return max(b - a for a, b in zip(times, times[1:]))
