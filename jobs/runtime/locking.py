"""One run of a job at a time, enforced by the database session that holds the lock.

Kubernetes' concurrencyPolicy: Forbid does not cover `kubectl create job --from`, and two
schedule entries of one job are two CronJobs, so the lock lives in the database. Each lock dies
with its holder's session or process, so a crashed run never blocks the next one.
"""

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

from jobs.runtime.errors import LockLost


def advisory_key(job: str) -> int:
    digest = hashlib.blake2b(f"cronsuite:{job}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def named_lock(job: str, database: str) -> str:
    """A MySQL/MariaDB lock name. GET_LOCK names are server-wide, where PostgreSQL's advisory
    locks belong to one database: without the database in it, staging's housekeeping would
    skip production's on a shared server. The names stop at 64 characters: a hash keeps long
    names apart."""
    digest = hashlib.blake2b(f"{database}:{job}".encode(), digest_size=16).hexdigest()
    return f"cronsuite:{digest}"


# Per vendor: (take the lock without waiting, release it), each given the lock's key.
LOCK_SQL = {
    "postgresql": ("SELECT pg_try_advisory_lock(%s)", "SELECT pg_advisory_unlock(%s)"),
    "mysql": ("SELECT GET_LOCK(%s, 0)", "SELECT RELEASE_LOCK(%s)"),
}


def lock_key(vendor: str, name: str, database: str) -> int | str:
    """The key of the lock called `name` in `database`: an advisory key, or a GET_LOCK name."""
    return advisory_key(name) if vendor == "postgresql" else named_lock(name, database)


class Lock:
    """The outcome of trying a job's lock; `verify()` checks it is still held."""

    def __init__(self, acquired: bool, session=None):
        self.acquired = acquired
        self._session = session  # the database connection holding it; None for a file lock

    def verify(self) -> None:
        """LockLost if the database session holding the lock has ended (a server restart, a
        proxy that cut it): another run may have taken the lock since."""
        if self._session is None:
            return
        try:
            with self._session.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as e:  # noqa: BLE001 - any failure means the session is gone
            raise LockLost(
                f"lost the overlap lock: the database session holding it ended ({e}); "
                "stopped before the next batch so that no two runs work at once"
            ) from None


@contextmanager
def job_lock(job: str, alias: str = "default") -> Iterator[Lock]:
    """Yield the job's Lock: acquired, or not because another run holds it."""
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        with _file_lock(connections[alias].settings_dict["NAME"], job) as acquired:
            yield Lock(acquired)
    else:
        with _session_lock(alias, vendor, job) as lock:
            yield lock


# A dedicated connection: the job may close or break its own, and the lock must outlive that.
@contextmanager
def _session_lock(alias: str, vendor: str, job: str) -> Iterator[Lock]:
    take, release = LOCK_SQL[vendor]
    key = lock_key(vendor, job, connections[alias].settings_dict["NAME"])
    connection = connections.create_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute(take, [key])
            acquired = bool(cursor.fetchone()[0])
        yield Lock(acquired, connection if acquired else None)
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute(release, [key])
    finally:
        connection.close()


@contextmanager
def _file_lock(database_path: str, job: str) -> Iterator[bool]:
    fd = os.open(f"{database_path}.{job}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
