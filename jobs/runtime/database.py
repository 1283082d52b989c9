"""The runtime's side of the database: limits derived from the run's deadline, credentials a
server rejects, and closing every connection at the end."""

import re

from django.conf import settings
from django.db import connections

# PostgreSQL: invalid_password, invalid_authorization_specification (no such role, pg_hba reject).
REJECTED_SQLSTATES = {"28P01", "28000"}
# libpq keeps no SQLSTATE for an error while connecting, only the server's FATAL message: these
# are those of 28P01 and 28000 (an lc_messages other than English falls back to exit 1).
REJECTED_MESSAGES = re.compile(
    r"password authentication failed for user|role \".*\" does not exist"
    r"|no pg_hba\.conf entry for|pg_hba\.conf rejects connection"
)
# MariaDB/MySQL: ER_ACCESS_DENIED_ERROR.
MYSQL_ACCESS_DENIED = 1045


def bound_sessions(seconds: float, alias: str = "default") -> None:
    """Server-side limits derived from the run's deadline, set before its first connection: no
    statement and no open transaction of this run outlives it on the server, even when the client
    is gone or frozen. Every connection of the alias gets them, the lock's included."""
    database = connections[alias].settings_dict
    options = database.setdefault("OPTIONS", {})
    milliseconds = int(seconds * 1000)
    if database["ENGINE"].endswith("postgresql"):
        limits = (
            f"-c statement_timeout={milliseconds} "
            f"-c idle_in_transaction_session_timeout={milliseconds}"
        )
        options["options"] = f"{options.get('options', '')} {limits}".strip()
    elif database["ENGINE"].endswith("mysql"):
        # MariaDB's max_statement_time (seconds); the client also stops waiting for a read.
        options["init_command"] = f"SET SESSION max_statement_time={int(seconds)}"
        options["read_timeout"] = int(seconds)


def credentials_rejected(error: BaseException) -> bool:
    """The database refused the user or password of DATABASE_URL: retrying cannot help."""
    cause = error.__cause__ or error
    if getattr(cause, "sqlstate", None) in REJECTED_SQLSTATES:
        return True
    if type(cause).__module__.startswith("psycopg") and getattr(cause, "pgconn", None):
        fatal = str(cause).partition("FATAL:")[2]
        return bool(REJECTED_MESSAGES.search(fatal))
    args = getattr(cause, "args", ())
    return bool(args) and args[0] == MYSQL_ACCESS_DENIED


def where(alias: str = "default") -> str:
    """The database as a person can recognise it, without its password: user@host:port/name."""
    database = connections[alias].settings_dict
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{database.get('USER') or ''}@{database.get('HOST') or ''}{port}/{database['NAME']}"


def close_connections() -> None:
    """Close every connection this process opened; a run never leaves one behind."""
    if not settings.configured:  # the settings themselves failed: nothing was opened
        return
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is being thrown away anyway
            pass
