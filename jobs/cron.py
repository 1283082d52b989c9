"""Cron expressions as Kubernetes reads them: fire times, intervals, DST (cronsim underneath).

One meaning of "schedule" in cronsuite: a five-field cron expression (or a macro such as @daily)
read in an IANA time zone, as a CronJob's `schedule` and `timeZone`.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


@dataclass(frozen=True)
class CronField:
    """One field of a five-field cron expression; names[i] stands for the number low + i."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    note: str = ""

    def value(self, text: str) -> int:
        """The number a value of this field stands for; CronError if Kubernetes refuses it."""
        if text.isdigit() and self.low <= int(text) <= self.high:
            return int(text)
        if text.upper() in self.names:
            return self.low + self.names.index(text.upper())
        names = f" or {self.names[0]} to {self.names[-1]}" if self.names else ""
        note = f" ({self.note})" if self.note else ""
        raise CronError(f"{self.name} {text!r} is not from {self.low} to {self.high}{names}{note}")


# Kubernetes' fields (robfig/cron, with which the API server validates a CronJob): day-of-week
# stops at 6, names are case-insensitive, `?` means `*`, and there is no L, W or #. The chart's
# schema is generated from this table (helm/values_schema.py).
FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField("day-of-month", 1, 31),
    CronField("month", 1, 12, tuple("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())),
    CronField("day-of-week", 0, 6, tuple("SUN MON TUE WED THU FRI SAT".split()), "Sunday is 0"),
)
PART = re.compile(r"(?P<all>[*?])|(?P<start>[0-9A-Za-z]+)(?:-(?P<end>[0-9A-Za-z]+))?")


def check_part(field: CronField, part: str) -> None:
    where, _, step = part.partition("/")
    match = PART.fullmatch(where)
    if not match or (step and not step.isdigit()):
        raise CronError(
            f"{field.name} {part!r} is not a value, a range (1-5), a list (1,5) or a step (*/10)"
        )
    if step and int(step) == 0:
        raise CronError(f"{field.name} {part!r} has a step of 0; a step is at least 1")
    bounds = [field.value(text) for text in (match["start"], match["end"]) if text]
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        raise CronError(f"{field.name} range {where!r} runs backwards")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"unknown time zone {name!r}") from None


def expand(schedule: str) -> str:
    """The five fields of a schedule, macros expanded and checked as Kubernetes checks them
    (`?` read as `*`); CronError naming the field if Kubernetes would refuse it."""
    expression = MACROS.get(schedule.strip().lower(), schedule.strip())
    if len(expression.split()) != 5:
        raise CronError(
            f"{schedule!r} is not a 5-field cron expression (minute hour day month weekday)"
        )
    for field, text in zip(FIELDS, expression.split()):
        for part in text.split(","):
            try:
                check_part(field, part)
            except CronError as e:
                raise CronError(f"{schedule!r}: {e}") from None
    return expression.replace("?", "*")


def fire_times(schedule: str, tz: str = "UTC", now: datetime | None = None) -> Iterator[datetime]:
    """The schedule's fire times strictly after `now`, as aware datetimes in the time zone `tz`."""
    start = (now or datetime.now(UTC)).astimezone(zone(tz))
    try:
        # CronSim on a ZoneInfo datetime handles DST like cronie (Debian's cron) does.
        times = CronSim(expand(schedule), start)
    except CronSimError as e:
        raise CronError(f"{schedule!r}: {e}") from None
    # Started in the second pass of a repeated hour, CronSim returns a wall-clock time's first
    # pass, which is already over: "strictly after now" is kept here. By timestamps: two datetimes
    # of one time zone compare by their wall clocks, blind to which pass of the hour they are in.
    return (t for t in times if t.timestamp() > start.timestamp())


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


# DST: what a schedule does when its time zone's clocks jump. Decided as Debian's cron (cronie)
# does, through CronSim: a schedule whose minute and hour fields are both specific (`30 2 * * *`)
# names a wall-clock time, which runs once: at the first minute after a skipped hour, at its first
# pass in a repeated hour. Any other schedule (`*/20 * * * *`, `*/20 2 * * *`) is an interval of
# real time: its times inside a skipped hour do not exist, and a repeated hour runs them in both
# passes. The Kubernetes controller runs a wall-clock time twice when clocks go back
# (kubernetes#121594). docs/scheduler.md tells the whole story.
DST_HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class Transition:
    """One jump of a time zone's clocks: `at` is the instant, `start`-`end` the wall-clock hour
    that is skipped (clocks go forward) or repeated (clocks go back)."""

    at: datetime
    skipped: bool
    start: datetime  # naive wall-clock times
    end: datetime


def transitions(tz: str, now: datetime, horizon: timedelta = DST_HORIZON) -> list[Transition]:
    """The time zone's clock changes between `now` and `now + horizon`."""
    place, found = zone(tz), []
    day = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while day < now + horizon:
        following = day + timedelta(days=1)
        if _offset(place, day) != _offset(place, following):
            found.append(_transition(place, _jump(place, day, following)))
        day = following
    return found


def _offset(place: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(place).utcoffset()


def _jump(place: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first instant of `after`'s UTC offset, to the second (bisection)."""
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        same = _offset(place, middle) == _offset(place, before)
        before, after = (middle, after) if same else (before, middle)
    return after.replace(microsecond=0)


def _transition(place: ZoneInfo, at: datetime) -> Transition:
    old, new = _offset(place, at - timedelta(seconds=1)), _offset(place, at)
    wall_old, wall_new = (at + old).replace(tzinfo=None), (at + new).replace(tzinfo=None)
    return Transition(at, new > old, min(wall_old, wall_new), max(wall_old, wall_new))


def wall_clock(schedule: str) -> bool:
    """Does the schedule name wall-clock times (minute and hour both specific)? CronSim's rule."""
    minute, hour = expand(schedule).split()[:2]
    return not minute.startswith("*") and not hour.startswith("*")


def dst_warnings(schedule: str, tz: str, now: datetime | None = None) -> list[str]:
    """One sentence per run of the coming year whose wall-clock time falls inside an hour its time
    zone skips or repeats. A schedule with `*` in the hour field is an interval and never warns."""
    if expand(schedule).split()[1] == "*":
        return []
    now = now or datetime.now(UTC)
    found = []
    for change in transitions(tz, now):
        first = _first_inside(schedule, change)
        if first is not None:
            found.append(_warning(schedule, tz, change, first))
    return found


def _first_inside(schedule: str, change: Transition) -> datetime | None:
    """The first wall-clock time of the schedule inside the transition's hour, if any."""
    # Naive datetimes: CronSim matches the fields on the wall clock, with no DST at all.
    first = next(CronSim(expand(schedule), change.start - timedelta(seconds=1)))
    return first if first < change.end else None


def _warning(schedule: str, tz: str, change: Transition, first: datetime) -> str:
    span = f"{change.start:%H:%M}-{change.end:%H:%M}"
    verb = "skips" if change.skipped else "repeats"
    where = f"the {first:%H:%M} run of {change.start:%Y-%m-%d} falls in {span}, which {tz} {verb}"
    return f"{where}: {_what_happens(schedule, tz, change)}"


def _what_happens(schedule: str, tz: str, change: Transition) -> str:
    if change.skipped:
        moved = next(fire_times(schedule, tz, change.at - timedelta(seconds=1)))
        if moved - change.at < change.end - change.start:
            return f"it runs at {moved:%H:%M} instead"
        return "it does not run in that hour"
    if wall_clock(schedule):
        return "it runs once, the first time (a Kubernetes CronJob runs it twice)"
    return "it runs in both passes of that hour"
