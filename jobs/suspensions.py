"""Suspensions on one machine: a flag in the database that the local scheduler reads before each
run, so `python -m jobs suspend ENTRY` holds the entry without restarting anything; and the audit
record of every suspend and resume, in a cluster too.

The local scheduler calls `is_suspended(entry.name)` when an entry's time comes, and skips the
run if it is true; an entry the chart's values suspend (`entry.suspended`) stays suspended
whatever this says.
"""

from jobs.models import SuspensionRecord

ON_THIS_MACHINE = ""  # the location of a record made without a cluster


def latest(entry: str, location: str = ON_THIS_MACHINE) -> SuspensionRecord | None:
    return SuspensionRecord.objects.filter(entry=entry, location=location).first()


def is_suspended(entry: str) -> bool:
    """Whether `suspend ENTRY` on this machine holds the entry (a later `resume` releases it)."""
    record = latest(entry)
    return bool(record and record.suspended)


def record(
    entry: str, suspended: bool, by: str, reason: str = "", location: str = ON_THIS_MACHINE
) -> SuspensionRecord:
    return SuspensionRecord.objects.create(
        entry=entry, suspended=suspended, changed_by=by, reason=reason, location=location
    )
