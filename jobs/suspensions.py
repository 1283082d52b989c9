"""Suspensions on one machine: a flag in the database that the local scheduler reads before each
run, so `python -m jobs suspend ENTRY` holds the entry without restarting anything; and the audit
record of every suspend and resume, in a cluster too.

The local scheduler calls `is_suspended(entry.name)` when an entry's time comes, and skips the
run if it is true; an entry the chart's values suspend (`entry.suspended`) stays suspended
whatever this says.
"""

from dataclasses import dataclass
from datetime import datetime

from jobs.models import SuspensionRecord

ON_THIS_MACHINE = ""  # the location of a record made without a cluster
SUSPENDED, RESUMED = "suspended", "resumed"


@dataclass(frozen=True)
class Change:
    """The last suspend or resume made through cronsuite: a record here, or the annotations a
    CronJob carries (k8s/suspension.py)."""

    action: str  # SUSPENDED or RESUMED
    by: str
    at: datetime | None
    reason: str = ""

    @property
    def sentence(self) -> str:
        why = f": {self.reason}" if self.reason else ""
        return f"{self.action} by {self.by}{why}"


def latest_changes(names: list[str]) -> dict[str, Change]:
    """Each entry's last suspend or resume on this machine, for every entry that has one, in one
    query (the records are few: one per command an operator typed)."""
    found = {}
    for record in SuspensionRecord.objects.filter(entry__in=names, location=ON_THIS_MACHINE):
        found.setdefault(record.entry, as_change(record))  # newest first (Meta.ordering)
    return found


def held(names: list[str]) -> set[str]:
    """The entries that `suspend ENTRY` on this machine holds (a later `resume` releases one)."""
    return {name for name, change in latest_changes(names).items() if change.action == SUSPENDED}


def is_suspended(entry: str) -> bool:
    return entry in held([entry])


def as_change(record: SuspensionRecord) -> Change:
    action = SUSPENDED if record.suspended else RESUMED
    return Change(action, record.changed_by, record.changed_at, record.reason)


def record(
    entry: str, suspended: bool, by: str, reason: str = "", location: str = ON_THIS_MACHINE
) -> SuspensionRecord:
    return SuspensionRecord.objects.create(
        entry=entry, suspended=suspended, changed_by=by, reason=reason, location=location
    )
