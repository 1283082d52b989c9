"""What the pages say about a run or an entry, in words a person reads at a glance: the cron
expression in English, times exact (seconds and time zone) or relative, exit codes with their
meaning, and which colour each status gets. The words themselves come from
jobs/runtime/vocabulary.py; this module only chooses how to show them."""

from datetime import datetime, timedelta

from cronsim.explain import explain
from django.utils import timezone

from jobs import cron
from jobs.runtime.vocabulary import FAILURES, MEANINGS, ExitCode, Status

# A CSS class per status (jobs/static/runs/board.css): red for every failure, whatever its kind.
TONES = {
    Status.SUCCEEDED: "good",
    Status.RUNNING: "busy",
    Status.SKIPPED: "quiet",
    **{status: "bad" for status in FAILURES},
}


def tone(status: str) -> str:
    return TONES.get(status, "quiet")


def schedule_in_words(schedule: str, time_zone: str) -> str:
    """ "At 02:00 every day (UTC)"; the expression itself when cronsim cannot say it."""
    try:
        said = explain(cron.expand(schedule))
    except (cron.CronError, ValueError, KeyError, IndexError):
        return schedule
    return f"{said} ({time_zone})"


def exact(moment: datetime | None) -> str:
    """2026-12-01 04:35:23 UTC: to the second, in the app's time zone, named."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def span(seconds: float) -> str:
    """A duration as people say it: its largest unit, and the next one if not zero (3 h 5 min,
    2 d, 12 s, 0.4 s)."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    left = int(seconds)
    units = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        units.append((left // size, unit))
        left %= size
    first = next(i for i, (count, _) in enumerate(units) if count)
    shown = [units[first]] + [u for u in units[first + 1 : first + 2] if u[0]]
    return " ".join(f"{count} {unit}" for count, unit in shown)


def relative(moment: datetime | None, now: datetime) -> str:
    """ "in 3 h 5 min" or "12 min ago"."""
    if moment is None:
        return ""
    gap = (moment - now).total_seconds()
    if abs(gap) < 1:
        return "now"
    return f"in {span(gap)}" if gap > 0 else f"{span(-gap)} ago"


def duration(started: datetime, finished: datetime | None) -> str:
    if finished is None:
        return ""
    return span(max((finished - started) / timedelta(seconds=1), 0))


def exit_meaning(code: int | None) -> str:
    """ "1 failed", "143 stopped by SIGTERM"; a code the runtime never gives stands alone."""
    if code is None:
        return ""
    try:
        return f"{code} {MEANINGS[ExitCode(code)]}"
    except ValueError:
        return str(code)
