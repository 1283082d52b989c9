"""Schedules, read from the Helm chart: the chart's values file is the single source of them.

`values.yaml` is found at `helm/cronsuite/values.yaml` beside the `jobs` package, in a checkout and
in the image (the Dockerfile copies it to `/app/helm/cronsuite/values.yaml`). Override files are
merged the way Helm merges `-f` files, then `defaults` is merged into each `jobs.<entry>` the way
the chart's `cronsuite.mergeInto` helper does it, so what `python -m jobs list` shows is what the
chart renders.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from cronsim import CronSim, CronSimError

VALUES_FILE = Path(__file__).resolve().parent.parent / "helm" / "cronsuite" / "values.yaml"

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


class ScheduleError(ValueError):
    """A cron expression or time zone Kubernetes would not accept."""


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {tz!r}") from None


def _expression(schedule: str) -> str:
    expr = MACROS.get(schedule.strip().lower(), schedule.strip())
    if len(expr.split()) != 5:
        raise ScheduleError(
            f"{schedule!r} is not a 5-field cron expression (minute hour day month weekday)"
        )
    return expr


def fire_times(schedule: str, tz: str = "UTC", now: datetime | None = None):
    """Yields the schedule's fire times after `now`, aware datetimes in the time zone `tz`."""
    zone = _zone(tz)
    start = (now or datetime.now(timezone.utc)).astimezone(zone)
    try:
        # CronSim on a ZoneInfo datetime handles DST like cronie (Debian's cron) does.
        return CronSim(_expression(schedule), start)
    except CronSimError as e:
        raise ScheduleError(f"{schedule!r}: {e}") from None


def next_run(schedule: str, tz: str = "UTC", now: datetime | None = None) -> datetime:
    """The first fire time strictly after `now` (default: the current time)."""
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


def helm_merge(base: dict, override: dict) -> dict:
    """Merges `override` into a copy of `base` like Helm merges values files.

    Maps merge key by key, anything else is replaced. A null in `override` deletes the key from
    `base`; a null for a key `base` lacks is kept, as Helm keeps it (the chart's defaults merge
    then drops that setting for the entry).
    """
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None and key in merged:
            del merged[key]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_values(*override_files: str | Path, values_file: str | Path = VALUES_FILE) -> dict:
    values = _read_yaml(values_file)
    for path in override_files:
        values = helm_merge(values, _read_yaml(path))
    return values


def _read_yaml(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@dataclass
class Entry:
    """One schedule entry of the chart (`jobs.<name>`), i.e. one CronJob."""

    name: str
    job: str
    args: list[str]
    schedule: str
    time_zone: str
    suspended: bool
    settings: dict = field(repr=False)

    def next_runs(self, now: datetime | None = None, count: int = 3) -> list[datetime]:
        return next_runs(self.schedule, self.time_zone, now, count)

    def as_dict(self, now: datetime | None = None, count: int = 3) -> dict:
        return {
            "entry": self.name,
            "job": self.job,
            "args": self.args,
            "schedule": self.schedule,
            "time_zone": self.time_zone,
            "suspended": self.suspended,
            "next_runs": [t.isoformat() for t in self.next_runs(now, count)],
        }


def entries(values: dict | None = None) -> list[Entry]:
    """The enabled entries of the chart, sorted by name, with `defaults` merged into each."""
    values = load_values() if values is None else values
    defaults = values.get("defaults") or {}
    suspend_all = bool(values.get("suspendAll"))
    found = []
    for name, entry in sorted((values.get("jobs") or {}).items()):
        settings = {k: v for k, v in helm_merge(defaults, entry or {}).items() if v is not None}
        if not settings.get("enabled", True):
            continue
        found.append(
            Entry(
                name=name,
                job=settings.get("job") or name,
                args=[str(a) for a in settings.get("args") or []],
                schedule=settings["schedule"],
                time_zone=settings.get("timeZone") or "UTC",
                suspended=suspend_all or bool(settings.get("suspend")),
                settings=settings,
            )
        )
    return found


def load_entries(*override_files: str | Path) -> list[Entry]:
    return entries(load_values(*override_files))


def format_entries(found: list[Entry], now: datetime | None = None, count: int = 3) -> str:
    """A readable table of entries and their next run times, for `list` and `scheduler_info`."""
    lines = []
    for e in found:
        state = "suspended" if e.suspended else "active"
        command = " ".join([e.job, *e.args])
        lines.append(f"{e.name}  [{state}]")
        lines.append(f"    runs:     {command}")
        lines.append(f"    schedule: {e.schedule} ({e.time_zone})")
        times = ", ".join(t.strftime("%Y-%m-%d %H:%M %Z") for t in e.next_runs(now, count))
        lines.append(f"    next:     {times}")
    return "\n".join(lines)


def describe(
    override_files: list[str] | None = None, now: datetime | None = None, count: int = 3
) -> list[Entry]:
    """The entries `list` and `scheduler_info` show; none when the values file is not there.

    A missing override file or a bad schedule raises ScheduleError (a usage error).
    """
    if not VALUES_FILE.exists() and not override_files:
        return []
    try:
        found = load_entries(*(override_files or []))
    except OSError as e:
        raise ScheduleError(f"cannot read values file: {e}") from None
    except (KeyError, TypeError, yaml.YAMLError) as e:
        raise ScheduleError(f"values file is not a cronsuite chart values file: {e}") from None
    for e in found:
        e.next_runs(now, count)  # validates schedule and time zone now, not halfway through output
    return found
