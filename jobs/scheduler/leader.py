"""One active scheduler per database, the others on hot standby.

The leader holds a lock that dies with it, whatever kills it (SIGKILL included): a PostgreSQL
advisory lock or a MariaDB GET_LOCK on a dedicated connection (the server drops them with the
session), or an exclusive flock beside the SQLite file (the kernel drops it with the process).
A standby tries the lock every STANDBY_POLL_SECONDS, so it takes over that long after the leader
is gone; the jobs' own per-job locks (docs/runtime.md) still protect the work itself.
"""

import fcntl
import os

from django.db import DatabaseError, connections

from jobs.runtime.locking import LOCK_SQL, lock_key

# Not a job's name (a job name has no dot), so never one of the jobs' own locks.
LOCK_NAME = "scheduler.leader"
STANDBY_POLL_SECONDS = 1.0


class SessionLeadership:
    """PostgreSQL and MariaDB: a lock held by a connection of its own."""

    def __init__(self, alias: str, vendor: str):
        self.alias = alias
        self.take, self.give_back = LOCK_SQL[vendor]
        self.key = lock_key(vendor, LOCK_NAME, connections[alias].settings_dict["NAME"])
        self.connection = None
        self.leading = False

    def try_lead(self) -> bool:
        """Take the lock if it is free; never waits."""
        if not self.leading:
            self.leading = bool(self._ask(self.take, [self.key]))
        return self.leading

    def still_leading(self) -> bool:
        """False once the session holding the lock has ended (a server restart, a cut proxy):
        another scheduler may hold it now."""
        self.leading = self.leading and self._ask("SELECT 1", []) is not None
        return self.leading

    def release(self) -> None:
        if self.connection is not None:
            self._give_back()
            self.connection.close()  # the server would release it with the session, too
        self.connection, self.leading = None, False

    def _give_back(self) -> None:
        """Unlock before closing: the server ends a closed session a moment later, and a
        standby asking in that moment would find the lock still held."""
        if not self.leading:
            return
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(self.give_back, [self.key])
        except DatabaseError:
            pass  # the session is gone: so is its lock

    def _ask(self, query: str, params: list):
        try:
            if self.connection is None:
                self.connection = connections.create_connection(self.alias)
            with self.connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchone()[0]
        except DatabaseError:
            self.release()  # a new session next time
            return None


class FileLeadership:
    """SQLite: an exclusive flock on a file beside the database."""

    def __init__(self, database_path: str):
        self.path = f"{database_path}.{LOCK_NAME}"
        self.fd: int | None = None

    def try_lead(self) -> bool:
        if self.fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def still_leading(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
        self.fd = None


def leadership(alias: str = "default"):
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return FileLeadership(connections[alias].settings_dict["NAME"])
    return SessionLeadership(alias, vendor)
