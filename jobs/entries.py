"""The chart's schedule entries, read from its values: the one place entries are defined.

`values.yaml` is found at `helm/cronsuite/values.yaml` beside the `jobs` package, in a checkout and
in the image (the Dockerfile copies it to `/app/helm/cronsuite/values.yaml`). Override files are
merged the way Helm merges `-f` files (Helm does that itself in a cluster; here nothing else would),
then each `jobs.<entry>` takes its settings from `defaults` key by key, so what `python -m jobs
list` shows is what the chart renders.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from jobs import cron
from jobs.runtime.errors import ConfigurationError

VALUES_FILE = Path(__file__).resolve().parent.parent / "helm" / "cronsuite" / "values.yaml"


class ValuesError(ConfigurationError):
    """A values file that cannot be read, or an entry Kubernetes would not accept."""


class UnknownEntry(ConfigurationError):
    """No enabled entry of that name."""


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
    values = read_yaml(values_file) or {}
    for path in override_files:
        values = helm_merge(values, read_yaml(path) or {})
    return values


# libyaml's safe loader where PyYAML was built with it (its wheels are): the same documents, in
# half the time and with less memory held afterwards (the scheduler rereads on every SIGHUP).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path) -> object:
    """A YAML file as Python data, safely (no tags that build objects)."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=SAFE_LOADER)


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

    @property
    def command(self) -> str:
        """What it runs, as `python -m jobs run` takes it: the job and its arguments."""
        return " ".join([self.job, *self.args])

    def next_runs(self, now: datetime | None = None, count: int = 3) -> list[datetime]:
        return cron.next_runs(self.schedule, self.time_zone, now, count)

    def dst_warnings(self, now: datetime | None = None) -> list[str]:
        """The coming year's runs that a DST change moves, one sentence each (jobs/cron.py)."""
        return cron.dst_warnings(self.schedule, self.time_zone, now)

    def as_dict(self, now: datetime | None = None, count: int = 3) -> dict:
        return {
            "entry": self.name,
            "job": self.job,
            "args": self.args,
            "schedule": self.schedule,
            "time_zone": self.time_zone,
            "suspended": self.suspended,
            "next_runs": [t.isoformat() for t in self.next_runs(now, count)],
            "dst_warnings": self.dst_warnings(now),
        }


def entry_settings(defaults: dict, entry: dict | None) -> dict:
    """An entry's settings: its own value of a key if it has one, else the default's; a null
    drops the setting. Python reads only top-level settings (schedule, timeout, suspend...), for
    which this is what the chart computes; merging maps such as `image` key by key is the chart's
    own work (`cronsuite.mergeInto`), not repeated here."""
    return {k: v for k, v in {**defaults, **(entry or {})}.items() if v is not None}


def from_values(values: dict) -> list[Entry]:
    """The enabled entries of the chart, sorted by name, with `defaults` merged into each."""
    defaults = values.get("defaults") or {}
    suspend_all = bool(values.get("suspendAll"))
    found = []
    for name, entry in sorted((values.get("jobs") or {}).items()):
        settings = entry_settings(defaults, entry)
        if settings.get("enabled", True):
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


def override_files(given: list[str] | None = None) -> list[str]:
    """The override files of this machine: those given (--values), else CRONSUITE_VALUES, so
    the scheduler, the dashboard and every command read the same entries without repeating it."""
    from django.conf import settings

    return list(given or settings.CRONSUITE_VALUES)


def load(override_files_given: list[str] | None = None) -> list[Entry]:
    """The entries `list`, the admin and the API show; none when the values file is not there.

    A missing override file or a bad schedule raises ValuesError (a configuration error).
    """
    files = override_files(override_files_given)
    if not VALUES_FILE.exists() and not files:
        return []
    try:
        found = from_values(load_values(*files))
    except OSError as e:
        raise ValuesError(f"cannot read values file: {e}") from None
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as e:
        raise ValuesError(f"values file is not a cronsuite chart values file: {e}") from None
    for entry in found:  # every schedule checked now, not halfway through output
        try:
            cron.validate(entry.schedule, entry.time_zone)
        except cron.CronError as e:
            raise ValuesError(f"jobs.{entry.name}: {e}") from None
    return found


def find(name: str, found: list[Entry] | None = None) -> Entry:
    """The enabled entry called `name`; UnknownEntry naming the entries there are."""
    found = load() if found is None else found
    for entry in found:
        if entry.name == name:
            return entry
    known = ", ".join(entry.name for entry in found) or "none"
    raise UnknownEntry(f"no schedule entry {name!r}. Entries: {known}.")
