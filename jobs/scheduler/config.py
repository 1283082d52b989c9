"""The schedule the scheduler runs: the chart's entries as `python -m jobs list` shows them
(jobs/entries.py), every setting it uses checked first with a message naming the entry and the
field, so a bad value stops the scheduler at start (exit 2) or keeps the old schedule on reload.
"""

from dataclasses import dataclass
from datetime import datetime

import yaml

from jobs import cron, entries
from jobs.runtime.discovery import catalog_names, project_jobs
from jobs.runtime.errors import ConfigurationError
from jobs.scheduler.timing import Concurrency, Timing

# Each setting the scheduler reads, with the smallest value Kubernetes accepts (None: optional).
WHOLE_NUMBERS = {
    "timeout": 1,
    "backoffLimit": 0,
    "startingDeadlineSeconds": 0,
    "terminationGracePeriodSeconds": 0,
    "activeDeadlineSeconds": 1,
}


class ScheduleError(ConfigurationError):
    """A values file the scheduler cannot run: exit 2 at start, the old schedule kept on reload."""


@dataclass(frozen=True)
class Planned:
    """One entry as the scheduler runs it."""

    entry: entries.Entry
    timing: Timing
    config: dict[str, str]  # the chart's `config` ConfigMap, every pod's envFrom
    env: dict[str, str]  # the entry's `env` values (a valueFrom needs a cluster: left out)

    @property
    def name(self) -> str:
        return self.entry.name


@dataclass(frozen=True)
class Plan:
    entries: dict[str, Planned]  # enabled and not suspended: the ones that run
    suspended: list[str]
    warnings: list[str]  # runs inside a DST transition, one sentence each


def load(values_files: list[str], enabled: bool, now: datetime) -> Plan:
    """The plan from values.yaml and the override files; `enabled` false suspends every entry
    (BACKGROUND_JOBS_ENABLED=false is suspendAll: true)."""
    values = read_values(values_files)
    if not enabled:
        values["suspendAll"] = True
    defaults = values.get("defaults") or {}
    for name, raw in (values.get("jobs") or {}).items():
        settings = entries.entry_settings(defaults, raw)
        if settings.get("enabled", True):
            check_entry(name, settings)
    found = entries.from_values(values)
    active = [entry for entry in found if not entry.suspended]
    return Plan(
        entries={entry.name: planned(entry, values) for entry in active},
        suspended=[entry.name for entry in found if entry.suspended],
        warnings=[f"jobs.{e.name}: {w}" for e in active for w in e.dst_warnings(now)],
    )


def read_values(values_files: list[str]) -> dict:
    """values.yaml merged with each file as `helm -f` does; an override naming an entry
    values.yaml lacks, without a schedule of its own, is a typo, not a new entry."""
    try:
        values = entries.load_values()
        for path in values_files:
            override = _read(path)
            check_override(path, override, values)
            values = entries.helm_merge(values, override)
    except OSError as e:
        raise ScheduleError(f"cannot read values file: {e}") from None
    except yaml.YAMLError as e:
        raise ScheduleError(f"values file is not YAML: {e}") from None
    if not isinstance(values.get("jobs") or {}, dict):
        raise ScheduleError("jobs: must be a map of entry names to their settings")
    return values


def _read(path: str) -> dict:
    found = entries.read_yaml(path) or {}
    if not isinstance(found, dict):
        raise ScheduleError(f"{path}: a values file is a map, got {type(found).__name__}")
    return found


def check_override(path: str, override: dict, values: dict) -> None:
    known = values.get("jobs") or {}
    for name, settings in (override.get("jobs") or {}).items():
        if name not in known and not (isinstance(settings, dict) and "schedule" in settings):
            raise ScheduleError(
                f"{path}: jobs.{name} is not an entry of the chart's values (entries: "
                f"{', '.join(sorted(known)) or 'none'}), and has no schedule of its own"
            )


def check_entry(name: str, settings: dict) -> None:
    """ScheduleError naming `jobs.<name>.<field>` for the first bad setting."""
    for field, minimum in WHOLE_NUMBERS.items():
        check_whole_number(name, field, settings.get(field), minimum)
    if "timeout" not in settings:
        raise ScheduleError(f"jobs.{name}.timeout is required: the seconds one attempt may run")
    policy = settings.get("concurrencyPolicy", Concurrency.ALLOW)
    if policy not in set(Concurrency):
        raise ScheduleError(
            f"jobs.{name}.concurrencyPolicy must be Forbid, Allow or Replace, got {policy!r}"
        )
    check_time(name, settings)
    check_job(name, settings.get("job") or name)


def check_whole_number(name: str, field: str, value, minimum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScheduleError(
            f"jobs.{name}.{field} must be a whole number of at least {minimum}, got {value!r}"
        )


def check_time(name: str, settings: dict) -> None:
    schedule, tz = settings.get("schedule"), settings.get("timeZone") or "UTC"
    try:
        cron.zone(str(tz))
    except cron.CronError as e:
        raise ScheduleError(f"jobs.{name}.timeZone: {e}") from None
    if not isinstance(schedule, str):
        raise ScheduleError(f"jobs.{name}.schedule is required: a 5-field cron expression")
    try:
        cron.validate(schedule, tz)
    except cron.CronError as e:
        raise ScheduleError(f"jobs.{name}.schedule: {e}") from None


def check_job(name: str, job: str) -> None:
    # The names only: importing every job would cost the scheduler its memory for good.
    known = {*catalog_names(), *project_jobs()}
    if job not in known:
        raise ScheduleError(
            f"jobs.{name}.job: unknown job {job!r}. Known jobs: {', '.join(sorted(known))}."
        )


def planned(entry: entries.Entry, values: dict) -> Planned:
    config = {str(key): as_text(value) for key, value in (values.get("config") or {}).items()}
    env = {
        str(item["name"]): as_text(item["value"])
        for item in entry.settings.get("env") or []
        if isinstance(item, dict) and "name" in item and "value" in item
    }
    return Planned(entry, Timing.of(entry.settings), config, env)


def as_text(value) -> str:
    # As Helm writes a ConfigMap value: `true`, not Python's `True`.
    return str(value).lower() if isinstance(value, bool) else str(value)
