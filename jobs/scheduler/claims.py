"""What the scheduler reads and writes in the database: the entries suspended on this machine, a
claim on each due time before it fires it, and the end of a run whose child it had to kill.

A claim moves an entry's last_schedule_time forward with an update that checks the old value: if
another scheduler got there first (two leaders for a moment, a takeover), nothing is updated and
this one does not fire. The leader lock keeps a single scheduler active; the claim makes a double
fire impossible even when the lock fails, and tells a new leader what was fired before it.
"""

import os
import socket
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from jobs import suspensions
from jobs.models import JobRun
from jobs.runtime.vocabulary import ExitCode, Status
from jobs.scheduler.models import EntrySchedule

FIRED_BY = f"{socket.gethostname()}:{os.getpid()}"[:253]


def last_fires(names: list[str]) -> dict[str, datetime]:
    """The last due time fired for each entry that has one."""
    try:
        return {name: row.last_schedule_time for name, row in fired(names).items()}
    finally:
        connection.close()  # a long-lived process keeps no connection a server may drop


def fired(names: list[str]) -> dict[str, EntrySchedule]:
    """Each entry's last fire here (its `lastScheduleTime`, and who fired it), if it has one."""
    return {row.entry: row for row in EntrySchedule.objects.filter(entry__in=names)}


def claim(dues: dict[str, datetime]) -> tuple[set[str], set[str]]:
    """(the entries this scheduler may fire now, the ones `python -m jobs suspend` holds), in one
    transaction on one connection: each due time is fired once, ever."""
    try:
        with transaction.atomic():
            held = suspensions.held(list(dues))
            return _claim({name: due for name, due in dues.items() if name not in held}), held
    finally:
        connection.close()


def _claim(dues: dict[str, datetime]) -> set[str]:
    if not dues:
        return set()
    # Locked rows: a second scheduler claiming the same entries waits, then sees the new times.
    rows = EntrySchedule.objects.select_for_update().filter(entry__in=list(dues))
    known = {row.entry: row for row in rows}
    won = {name for name, row in known.items() if row.last_schedule_time < dues[name]}
    for due in {dues[name] for name in won}:  # one statement per due time, usually one
        rows = [known[name].pk for name in won if dues[name] == due]
        EntrySchedule.objects.filter(pk__in=rows).update(last_schedule_time=due, fired_by=FIRED_BY)
    new = [
        EntrySchedule(entry=name, last_schedule_time=due, fired_by=FIRED_BY)
        for name, due in dues.items()
        if name not in known
    ]
    # Two first claims at once: the unique entry makes one transaction fail, and fire nothing.
    EntrySchedule.objects.bulk_create(new)
    return won | {row.entry for row in new}


def close_killed(entry: str, due: datetime, timed_out: bool, error: str) -> int:
    """End the row of a child the scheduler had to SIGKILL: it could not record its own end."""
    status, code = (
        (Status.TIMED_OUT, ExitCode.TIMED_OUT)
        if timed_out
        else (Status.INTERRUPTED, ExitCode.TERMINATED)
    )
    try:
        return JobRun.objects.filter(
            entry=entry, scheduled_for=due, status=Status.RUNNING, finished_at=None
        ).update(status=status, exit_code=int(code), finished_at=timezone.now(), error=error)
    finally:
        connection.close()
