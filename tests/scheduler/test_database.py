"""A long-running scheduler whose database restarts: it says so once, fires the due run when the
database is back (within startingDeadlineSeconds), and takes its leader lock again. Against a
PostgreSQL of the tests' own (tests/support/postgres.py), stopped and started by the test."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.support.postgres import OwnPostgres

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "schedule": "* * * * *", "timeout": 30, "startingDeadlineSeconds": 120}


@pytest.fixture
def postgres():
    server = OwnPostgres()
    yield server
    server.remove()


def scheduled_runs(url: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=10) as db:
        return db.execute("SELECT entry, scheduled_for FROM runs_jobrun ORDER BY id").fetchall()


def test_it_survives_a_database_restart_and_fires_what_came_due_meanwhile(
    postgres, schedulers, clock
):
    url = postgres.create_database()
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start({"add": ADD}, DATABASE_URL=url)
    scheduler.wait_for("scheduler.leader")

    postgres.stop()
    clock.set(NOON - timedelta(seconds=1))
    (error,) = scheduler.wait_for("scheduler.database_error")
    postgres.start()
    postgres.wait_until_up()
    scheduler.wait_for("run.finished")
    scheduler.wait_for("scheduler.leadership_lost")
    scheduler.wait_for("scheduler.leader", count=2)

    # It should say it once, not once a second, and fire 12:00 once the database is back.
    assert error["message"].startswith("Cannot fire due runs yet: ")
    assert len(scheduler.events("scheduler.database_error")) == 1
    assert [line["due"] for line in scheduler.events("scheduler.fired")] == [NOON.isoformat()]
    assert scheduled_runs(url) == [("add", NOON)]
    # Its lock's session died with the server: it takes the lock again on a new one.
    assert scheduler.process.poll() is None
