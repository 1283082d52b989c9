"""The runtime contract when the database hangs, dies, rejects the credentials, or loses the
lock's session: against a PostgreSQL of the tests' own (tests/support/postgres.py) that they
freeze, stop and restart. Each run must end with its documented exit code, exactly one
`run.finished` line and its outcome pushed, and leave nothing half-written."""

import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest

from tests.support.hung_peers import silent
from tests.support.postgres import OwnPostgres
from tests.support.processes import finish, run_job, start_job, terminate, wait_for_line

# The contract: exit within 5 s of SIGTERM or of the deadline.
GRACE_BOUND = 5.0


@pytest.fixture(scope="module")
def postgres():
    server = OwnPostgres()
    yield server
    server.remove()


@pytest.fixture
def database(postgres, request):
    """A fresh migrated database per test; the server is thawed and running again afterwards."""
    name = f"faults_{request.node.name[:40].lower()}".replace("[", "_").replace("]", "_")
    url = postgres.create_database(name)
    yield url
    postgres.thaw()
    if not postgres.answers():
        postgres.start()


def rows(url: str) -> list[tuple]:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=10) as db:
        return db.execute(
            "SELECT status, exit_code, counts, error, finished_at IS NOT NULL"
            " FROM runs_jobrun ORDER BY id"
        ).fetchall()


def start_batches(url: str, gateway, **env) -> tuple[subprocess.Popen, list[str]]:
    process = start_job("run", "batches", DATABASE_URL=url, PUSHGATEWAY_URL=gateway.url, **env)
    return process, wait_for_line(process, "batches.started")


def test_a_frozen_database_cannot_hold_a_run_past_its_deadline(
    postgres, database, clean_pushgateway
):
    process, seen = start_batches(database, clean_pushgateway, JOB_TIMEOUT=3)

    postgres.freeze()
    frozen = time.monotonic()
    result = finish(process, seen, timeout=60)
    waited = time.monotonic() - frozen

    # It should time out (124) at most 5 s past its 3 s deadline...
    assert result.returncode == 124
    assert waited < 3 + GRACE_BOUND
    # ...with one summary line that says the row could not be recorded, and the outcome pushed.
    assert result.summary["status"] == "timed_out"
    assert "could not record its end" in result.summary["error"]
    assert result.summary["counts"]["batches"] >= 1
    assert clean_pushgateway.value("cronsuite_job_last_run_status", status="timed_out") == 1


def test_the_next_run_closes_the_row_a_frozen_database_left_running(
    postgres, database, clean_pushgateway
):
    process, seen = start_batches(database, clean_pushgateway, JOB_TIMEOUT=3)
    postgres.freeze()
    finish(process, seen, timeout=60)
    postgres.thaw()

    after = run_job("run", "batches", "--limit", "1", DATABASE_URL=database)

    assert after.returncode == 0
    (closed, recorded) = rows(database)
    # It should close the abandoned row without guessing why its process ended.
    status, _, _, error, finished = closed
    assert (status, finished) == ("interrupted", True)
    assert "ended without recording" in error and "memory" not in error
    assert recorded[0] == "succeeded"


def test_sigterm_with_the_database_frozen_exits_143_within_5_s(
    postgres, database, clean_pushgateway
):
    process, seen = start_batches(database, clean_pushgateway)
    postgres.freeze()

    result, waited = terminate(process, seen)

    assert result.returncode == 143
    assert waited < GRACE_BOUND
    assert result.summary["status"] == "interrupted"
    assert len(result.events("run.finished")) == 1
    assert clean_pushgateway.value("cronsuite_job_last_run_status", status="interrupted") == 1


def test_sigterm_with_both_cores_busy_exits_143_within_5_s(database, clean_pushgateway):
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count())
    ]
    try:
        process, seen = start_batches(database, clean_pushgateway)
        result, waited = terminate(process, seen)
    finally:
        for burner in burners:
            burner.kill()

    assert result.returncode == 143
    assert waited < GRACE_BOUND
    assert result.summary["status"] == "interrupted"


def test_a_database_that_dies_mid_run_still_reports_what_was_committed(
    postgres, database, clean_pushgateway
):
    # A previous run counted a kind this run will not: it is pushed as 0 on the failure path too.
    clean_pushgateway.wipe()
    run_job("run", "batches", "--limit", "1", DATABASE_URL=database)
    process, seen = start_batches(database, clean_pushgateway, JOB_TIMEOUT=30)

    postgres.stop()
    result = finish(process, seen, timeout=60)

    assert result.returncode == 1
    committed = result.summary["counts"]["batches"]
    assert committed >= 1
    assert clean_pushgateway.value("cronsuite_job_last_run_items", kind="batches") == committed
    assert clean_pushgateway.value("cronsuite_job_last_run_status", status="failed") == 1


def test_rejected_credentials_exit_2_naming_database_url_without_the_password(postgres, database):
    postgres.execute("CREATE ROLE jobs LOGIN PASSWORD 'right-password'")
    try:
        for user, password in [("jobs", "wrong-password"), ("nobody", "any-password")]:
            url = postgres.url(database.rsplit("/", 1)[1], user, password)

            result = run_job("run", "addition", DATABASE_URL=url)

            # It should not be retried: exit 2, a configuration error.
            assert result.returncode == 2, result.stdout + result.stderr
            assert "rejected the credentials of DATABASE_URL" in result.summary["error"]
            assert f"{user}@127.0.0.1:{postgres.port}" in result.summary["error"]
            assert password not in result.stdout + result.stderr
    finally:
        postgres.execute("DROP ROLE jobs")


def test_mariadb_rejected_credentials_exit_2():
    url = "mysql://root:not-the-password@127.0.0.1:3306/test"

    result = run_job("run", "addition", DATABASE_URL=url)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "rejected the credentials of DATABASE_URL" in result.summary["error"]
    assert "not-the-password" not in result.stdout + result.stderr


def test_a_run_whose_lock_session_ends_stops_before_its_next_batch(
    postgres, database, clean_pushgateway
):
    process, seen = start_batches(database, clean_pushgateway, JOB_TIMEOUT=60)

    # The server ends the session holding the advisory lock (a restart, a proxy cut).
    postgres.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    )
    result = finish(process, seen, timeout=60)

    assert result.returncode == 1
    assert result.summary["status"] == "failed"
    assert "lost the overlap lock" in result.summary["error"]
    assert rows(database)[-1][:2] == ("failed", 1)


def test_a_sigterm_while_python_and_django_start_exits_143_having_done_nothing(database):
    process = start_job("run", "addition", DATABASE_URL=database)
    handler_installed(process.pid)

    process.send_signal(signal.SIGTERM)
    result = finish(process, [], timeout=30)

    assert result.returncode == 143
    assert result.summary["message"] == "Stopped by SIGTERM while starting: nothing was done."
    assert rows(database) == []


def handler_installed(pid: int) -> None:
    """Wait until the process catches SIGTERM (its SigCgt mask), i.e. `python -m jobs` has begun."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/status") as status:
            caught = next(line for line in status if line.startswith("SigCgt:"))
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.001)
    raise AssertionError("the job never installed its SIGTERM handler")


def test_a_database_that_accepts_and_never_answers_costs_only_its_connect_timeout(
    clean_pushgateway,
):
    with silent() as server:
        port = server.url.rsplit(":", 1)[1]
        started = time.monotonic()
        result = run_job(
            "run",
            "addition",
            DATABASE_URL=f"postgres://jobs@127.0.0.1:{port}/cronsuite",
            DATABASE_CONNECT_TIMEOUT=2,
            PUSHGATEWAY_URL=clean_pushgateway.url,
            timeout=60,
        )
        waited = time.monotonic() - started

    # It should give up after the connect timeout (a bound, with room for start-up), not hang.
    assert result.returncode == 1
    assert waited < 3 * 2 + GRACE_BOUND
    assert result.summary["status"] == "failed"
    assert clean_pushgateway.value("cronsuite_job_last_run_status", status="failed") == 1
