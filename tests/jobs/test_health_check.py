"""health-check (Celery's `health_check`, the FastAPI scheduler's health job) and the `python -m jobs check` preflight: each
check against real peers (the test database, a real Pushgateway, the app behind a real WSGI
server), an unmigrated database, a peer that is down and one that never answers."""

import json
import socket
import subprocess
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.db import connection

from jobs.models import JobRun
from jobs.runtime import checks
from tests.support.processes import ROOT, database_url, free_port, job_environment, run_job

GAUGE = "cronsuite_health_check_up"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def live_app():
    """app.wsgi.application on loopback: the BASE_URL peer."""
    from app.wsgi import application

    httpd = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def silent_peer():
    """Accepts connections (the kernel does, from the backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def manage(*args, url):
    subprocess.run(
        [sys.executable, "manage.py", *args, "-v0"],
        cwd=ROOT,
        env=job_environment(DATABASE_URL=url),
        check=True,
    )


@pytest.fixture
def empty_database(transactional_db, tmp_path):
    """A new, empty database on the test database's server, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_empty"
    with connection.cursor() as cursor:  # autocommit: CREATE DATABASE refuses a transaction
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    yield f"{database_url().rsplit('/', 1)[0]}/{name}"
    force = " WITH (FORCE)" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}{force}")


@pytest.fixture
def unmigrated_sessions(empty_database):
    """Migrated, except for one app rolled back: a deploy that forgot `migrate`."""
    manage("migrate", url=empty_database)
    manage("migrate", "sessions", "zero", url=empty_database)
    return empty_database


def in_database(url: str, expression: str):
    """Evaluate a Python expression in a real client of another database; its JSON value."""
    code = (
        "import django, json; django.setup(); from django.db import connection; "
        f"from jobs.models import JobRun; print(json.dumps({expression}))"
    )
    env = job_environment(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="app.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


# The checks, called directly.


@pytest.mark.django_db
def test_it_passes_the_database_and_migration_checks_on_the_test_database(settings):
    settings.PUSHGATEWAY_URL = None
    settings.BASE_URL = None

    results = {r.name: r for r in checks.run_checks()}

    assert [results[name].status for name in checks.CHECKS] == ["ok", "ok", "skipped", "skipped"]
    assert results["migrations"].detail == "every migration is applied"
    # It should report an unconfigured peer as skipped, naming the setting.
    assert results["pushgateway"].detail == "PUSHGATEWAY_URL is not set"
    assert results["app"].detail == "BASE_URL is not set"


@pytest.mark.django_db
def test_it_asks_the_app_for_healthz(settings, live_app):
    settings.BASE_URL = f"{live_app}/"

    assert checks.check_app() == f"{live_app}/healthz answered 200"


def test_it_fails_a_peer_that_answers_with_an_error(settings, live_app):
    settings.PUSHGATEWAY_URL = live_app  # the app has no /-/ready: 404

    (result,) = checks.run_checks({"pushgateway": checks.check_pushgateway})

    assert (result.status, result.detail) == ("failed", f"{live_app}/-/ready answered HTTP 404")


def test_it_reports_a_check_that_does_not_answer_within_the_timeout():
    release = threading.Event()

    (result,) = checks.run_checks({"stuck": release.wait}, timeout=0.2)
    release.set()

    assert (result.status, result.detail) == ("failed", "no answer within 0.2 s")


def test_the_report_has_one_line_per_check_and_names_the_failures():
    results = [
        checks.Result("database", "ok", "postgresql database x answered"),
        checks.Result("app", "failed", "http://app/healthz answered HTTP 500"),
        checks.Result("pushgateway", "skipped", "PUSHGATEWAY_URL is not set"),
    ]

    assert checks.report(results) == [
        "database     ok       postgresql database x answered",
        "app          FAILED   http://app/healthz answered HTTP 500",
        "pushgateway  skipped  PUSHGATEWAY_URL is not set",
        "1 check(s) FAILED: app.",
    ]


# The health-check job through the real entrypoint.

real_entrypoint = pytest.mark.django_db(transaction=True)


@real_entrypoint
def test_it_passes_and_pushes_one_gauge_per_check(clean_pushgateway, live_app):
    result = run_job(
        "run", "health-check", PUSHGATEWAY_URL=clean_pushgateway.url, BASE_URL=live_app
    )

    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("database", "migrations", "pushgateway", "app"):
        assert clean_pushgateway.value(GAUGE, check=check, job="health-check") == 1
    assert result.summary["counts"] == {"checks_ok": 4, "checks_failed": 0, "checks_skipped": 0}
    assert [line["check"] for line in result.events("health.check")] == list(checks.CHECKS)


@real_entrypoint
def test_it_pushes_no_gauge_for_a_skipped_peer(clean_pushgateway):
    result = run_job("run", "health-check", PUSHGATEWAY_URL=clean_pushgateway.url, BASE_URL="")

    assert result.returncode == 0, result.stdout + result.stderr
    assert clean_pushgateway.value(GAUGE, check="app") is None
    assert clean_pushgateway.value(GAUGE, check="database") == 1
    assert result.summary["counts"] == {"checks_ok": 3, "checks_failed": 0, "checks_skipped": 1}


@real_entrypoint
def test_it_exits_1_naming_a_peer_that_is_down(clean_pushgateway):
    down = f"http://127.0.0.1:{free_port()}"

    result = run_job("run", "health-check", PUSHGATEWAY_URL=clean_pushgateway.url, BASE_URL=down)

    assert result.returncode == 1
    error = result.summary["error"]
    assert error.startswith(f"health check failed: app: {down}/healthz: cannot connect")
    assert "database" not in error and "pushgateway" not in error
    assert result.summary["counts"] == {"checks_ok": 3, "checks_failed": 1, "checks_skipped": 0}
    # It should push 0 for the broken check and 1 for the others.
    assert clean_pushgateway.value(GAUGE, check="app") == 0
    assert clean_pushgateway.value(GAUGE, check="database") == 1
    assert (
        clean_pushgateway.value(
            "cronsuite_job_last_run_status", status="failed", job="health-check"
        )
        == 1
    )
    (run,) = JobRun.objects.all()
    assert (run.job, run.status, run.exit_code) == ("health-check", "failed", 1)
    assert run.error == error


@real_entrypoint
def test_it_exits_1_naming_the_migrations_check_when_a_migration_is_unapplied(
    clean_pushgateway, unmigrated_sessions
):
    result = run_job(
        "run",
        "health-check",
        DATABASE_URL=unmigrated_sessions,
        PUSHGATEWAY_URL=clean_pushgateway.url,
    )

    assert result.returncode == 1
    expected = "health check failed: migrations: 1 unapplied migration(s): sessions.0001_initial"
    assert result.summary["error"].startswith(expected)
    assert clean_pushgateway.value(GAUGE, check="migrations") == 0
    assert clean_pushgateway.value(GAUGE, check="database") == 1
    # It should write nothing but its own record, and leave the migration to `migrate`.
    runs = "list(JobRun.objects.values_list('job', 'status', 'exit_code', 'error'))"
    assert in_database(unmigrated_sessions, runs) == [
        ["health-check", "failed", 1, result.summary["error"]]
    ]
    assert not JobRun.objects.exists()


# `python -m jobs check`: the preflight.


@real_entrypoint
def test_check_prints_one_line_per_check_and_exits_0(clean_pushgateway, live_app):
    result = run_job("check", PUSHGATEWAY_URL=clean_pushgateway.url, BASE_URL=live_app)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["database", "ok"],
        ["migrations", "ok"],
        ["pushgateway", "ok"],
        ["app", "ok"],
    ]
    assert lines[-1] == "All checks passed."
    # It should record no run and push nothing: it is not a job.
    assert not JobRun.objects.exists()
    assert clean_pushgateway.samples(GAUGE) == []


@real_entrypoint
def test_check_works_on_an_empty_database_without_a_lock_or_a_job_run(empty_database):
    result = run_job("check", DATABASE_URL=empty_database)

    assert result.returncode == 1
    lines = dict(line.split(maxsplit=1) for line in result.stdout.splitlines()[:-1])
    assert lines["database"].startswith("ok")
    assert (
        lines["migrations"].startswith("FAILED") and "unapplied migration(s)" in lines["migrations"]
    )
    assert result.stdout.splitlines()[-1] == "1 check(s) FAILED: migrations."
    # It should have created nothing, not even Django's migration table.
    assert in_database(empty_database, "connection.introspection.table_names()") == []


@real_entrypoint
def test_check_exits_1_naming_a_peer_that_never_answers(silent_peer):
    result = run_job("check", BASE_URL=silent_peer, HEALTH_CHECK_TIMEOUT=1)

    assert result.returncode == 1
    app_line = next(line for line in result.stdout.splitlines() if line.startswith("app "))
    assert "FAILED" in app_line and "no answer within 1 s" in app_line
    assert result.stdout.splitlines()[-1] == "1 check(s) FAILED: app."
