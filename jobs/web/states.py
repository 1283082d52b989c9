"""An entry's state in healthchecks.io's words, from its runs and its schedule:

- `paused`: the entry is suspended; nothing is expected of it.
- `failing`: a run failed (failed, timed out, interrupted) since the last success: "failing
  since" the first of those failures, until a run succeeds again.
- `new`: it never succeeded and never failed; nothing is known yet.
- `up`: the next success is not due yet. It is due one run after the last success: the first
  scheduled time after it, plus the entry's timeout (a run that starts on time has finished by
  then).
- `late`: that success is overdue, by less than the grace.
- `down`: overdue by more than the grace.

The grace is the entry's interval between two runs, at most an hour (healthchecks' default): an
entry that runs every minute is down within minutes, a daily one an hour after it was due.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from jobs import cron

MAX_GRACE = timedelta(hours=1)

PAUSED, FAILING, NEW, UP, LATE, DOWN = "paused", "failing", "new", "up", "late", "down"
TONES = {PAUSED: "quiet", FAILING: "bad", NEW: "quiet", UP: "good", LATE: "warn", DOWN: "bad"}


@dataclass(frozen=True)
class State:
    word: str
    since: datetime | None = None  # failing since, down since, late since, up since
    due: datetime | None = None  # when the next success is due (up, late, down)

    @property
    def tone(self) -> str:
        return TONES[self.word]


def grace(schedule: str, time_zone: str, now: datetime) -> timedelta:
    return grace_on(schedule, time_zone, now.date())


@lru_cache(maxsize=1024)
def grace_on(schedule: str, time_zone: str, day: date) -> timedelta:
    """The grace of a schedule, worked out once a day: the interval takes 64 fire times to find
    (DST included), and fifty entries made it most of the dashboard's time (bench/web.py)."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    interval = timedelta(seconds=cron.expected_interval_seconds(schedule, time_zone, start))
    return min(interval, MAX_GRACE)


def state_of(
    *,
    schedule: str,
    time_zone: str,
    timeout_seconds: int,
    suspended: bool,
    last_success: datetime | None,
    failing_since: datetime | None,
    now: datetime,
) -> State:
    if suspended:
        return State(PAUSED)
    if failing_since is not None:
        return State(FAILING, since=failing_since)
    if last_success is None:
        return State(NEW)
    due = cron.next_run(schedule, time_zone, last_success) + timedelta(seconds=timeout_seconds)
    late_for = grace(schedule, time_zone, now)
    if now <= due:
        return State(UP, since=last_success, due=due)
    if now <= due + late_for:
        return State(LATE, since=due, due=due)
    return State(DOWN, since=due + late_for, due=due)
