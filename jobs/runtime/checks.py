"""The checks behind the `health-check` job and the `python -m jobs check` preflight.

A check is a function that returns a detail sentence when all is well, raises Skipped when the
peer is not configured, and raises anything else when it is broken. `run_checks` runs them all at
once, each in a daemon thread, and reports a check that has not answered within the timeout as
failed: a database or peer that hangs costs HEALTH_CHECK_TIMEOUT seconds, never the whole deadline.
"""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from app.env import shown_url
from app.fetching import FetchFailed, Unreachable, get
from jobs.runtime.logs import mask

LABELS = {"ok": "ok", "failed": "FAILED", "skipped": "skipped"}
SHOWN_MIGRATIONS = 5


class Skipped(Exception):
    """The peer is not configured: nothing to check."""


class CheckFailed(Exception):
    """The peer answered, and the answer is wrong."""


@dataclass(frozen=True)
class Result:
    name: str
    status: str  # ok, failed or skipped
    detail: str


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return f"{connection.vendor} database {connection.settings_dict['NAME']} answered"


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> str:
    pending = unapplied_migrations()
    if pending:
        shown = ", ".join(pending[:SHOWN_MIGRATIONS])
        more = (
            f" and {len(pending) - SHOWN_MIGRATIONS} more"
            if len(pending) > SHOWN_MIGRATIONS
            else ""
        )
        raise CheckFailed(
            f"{len(pending)} unapplied migration(s): {shown}{more}; run `manage.py migrate`"
        )
    return "every migration is applied"


def check_url(url: str) -> str:
    response = get(url, settings.HEALTH_CHECK_TIMEOUT, allow_redirects=False)
    if response.status_code != 200:
        raise CheckFailed(f"{shown_url(url)} answered HTTP {response.status_code}")
    return f"{shown_url(url)} answered 200"


def check_pushgateway() -> str:
    if not settings.PUSHGATEWAY_URL:
        raise Skipped("PUSHGATEWAY_URL is not set")
    return check_url(f"{settings.PUSHGATEWAY_URL.rstrip('/')}/-/ready")


def check_app() -> str:
    if not settings.BASE_URL:
        raise Skipped("BASE_URL is not set")
    return check_url(f"{settings.BASE_URL.rstrip('/')}/healthz")


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "pushgateway": check_pushgateway,
    "app": check_app,
}


def describe(error: Exception) -> str:
    if isinstance(error, Unreachable):
        return f"{error.url}: cannot connect ({error})"
    if isinstance(error, FetchFailed):  # no answer in time, or not a URL at all
        return f"{error.url}: {error}"
    if isinstance(error, CheckFailed):
        return str(error)
    return f"{type(error).__name__}: {str(error).strip()}"


class Attempt(threading.Thread):
    def __init__(self, name: str, check):
        # A daemon: a check stuck in a system call never keeps the process alive.
        super().__init__(name=f"check-{name}", daemon=True)
        self.check_name, self.check = name, check
        self.result: Result | None = None

    def run(self) -> None:
        try:
            self.result = Result(self.check_name, "ok", self.check())
        except Skipped as e:
            self.result = Result(self.check_name, "skipped", str(e))
        except Exception as e:  # noqa: BLE001 - any error is the check's answer
            self.result = Result(self.check_name, "failed", describe(e))
        finally:
            connections.close_all()  # this thread's own connections

    def outcome(self, timeout: float) -> Result:
        if self.result is None:
            return Result(self.check_name, "failed", f"no answer within {timeout} s")
        return Result(
            self.result.name, self.result.status, mask(self.result.detail, settings.SECRET_VALUES)
        )


def run_checks(checks: dict | None = None, timeout: float | None = None) -> list[Result]:
    timeout = timeout or settings.HEALTH_CHECK_TIMEOUT
    attempts = [Attempt(name, check) for name, check in (checks or CHECKS).items()]
    for attempt in attempts:
        attempt.start()
    deadline = time.monotonic() + timeout
    for attempt in attempts:
        attempt.join(max(0.0, deadline - time.monotonic()))
    return [attempt.outcome(timeout) for attempt in attempts]


def failed(results: list[Result]) -> list[Result]:
    return [result for result in results if result.status == "failed"]


def report(results: list[Result]) -> list[str]:
    width = max(len(result.name) for result in results)
    lines = [f"{r.name:<{width}}  {LABELS[r.status]:<7}  {r.detail}" for r in results]
    broken = [result.name for result in failed(results)]
    lines.append(
        f"{len(broken)} check(s) FAILED: {', '.join(broken)}." if broken else "All checks passed."
    )
    return lines


def preflight(stdout) -> int:
    """`python -m jobs check`: no lock, no JobRun, so it works before the first migration too."""
    results = run_checks()
    for line in report(results):
        print(line, file=stdout)
    return 1 if failed(results) else 0
