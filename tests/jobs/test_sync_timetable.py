"""sync-timetable end to end: `python -m jobs run sync-timetable` in a subprocess calls the real
Django app served by wsgiref on loopback, which reads a timetable feed from a real http.server.
Misbehaving upstreams (403, 500, 429) are scripted http.servers standing in for BASE_URL."""

import subprocess
import sys
from datetime import time

import pytest
import requests

from app.timetable.models import Group, Slot
from jobs.models import JobRun
from tests.support.peers import LiveApp, Reply, ScriptedServer
from tests.support.processes import ROOT, free_port, job_environment, run_job

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "s3cr3t-timetable-token-4f9a"
FEED = {
    "version": 1,
    "groups": [
        {
            "code": "ING1-A",
            "name": "Engineering, first year, group A",
            "slots": [
                {
                    "day": "monday",
                    "start": "08:30",
                    "end": "10:00",
                    "subject": "Algorithms",
                    "room": "B12",
                },
                {
                    "day": "monday",
                    "start": "10:15",
                    "end": "11:45",
                    "subject": "Physics",
                    "teacher": "Dr. Ben Salah",
                },
            ],
        },
        {
            "code": "ING1-B",
            "name": "Engineering, first year, group B",
            "slots": [{"day": "tuesday", "start": "14:00", "end": "15:30", "subject": "Algebra"}],
        },
    ],
}


@pytest.fixture
def feed():
    with ScriptedServer(Reply(200, FEED)) as server:
        yield server


@pytest.fixture
def app_server(settings, feed):
    settings.TOKEN = TOKEN
    settings.TIMETABLE_FEED_URL = f"{feed.url}/timetable.json"
    settings.TIMETABLE_FEED_TIMEOUT = 5
    with LiveApp() as app:
        yield app


def sync(base_url: str, *args: str, **env):
    env = {"TOKEN": TOKEN, "SYNC_TIMETABLE_BACKOFF_FACTOR": 0, **env}
    return run_job("run", "sync-timetable", *args, BASE_URL=base_url, **env)


def existing_group(code: str, name: str, *slots: tuple) -> Group:
    group = Group.objects.create(code=code, name=name)
    for weekday, start, end, subject in slots:
        Slot.objects.create(
            group=group, weekday=weekday, starts_at=start, ends_at=end, subject=subject
        )
    return group


def timetable() -> dict:
    """Every group with its slots, as plain values, to compare before and after."""
    return {
        group.code: (
            group.name,
            [(s.weekday, s.starts_at, s.ends_at, s.subject) for s in group.slots.all()],
        )
        for group in Group.objects.prefetch_related("slots")
    }


def test_it_creates_groups_and_slots_from_the_feed(app_server, feed):
    result = sync(app_server.url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert timetable() == {
        "ING1-A": (
            "Engineering, first year, group A",
            [
                (1, time(8, 30), time(10, 0), "Algorithms"),
                (1, time(10, 15), time(11, 45), "Physics"),
            ],
        ),
        "ING1-B": ("Engineering, first year, group B", [(2, time(14, 0), time(15, 30), "Algebra")]),
    }
    # It should record the app's counts, for the summary line, JobRun and the items metric.
    run = JobRun.objects.get()
    assert (run.job, run.status, run.exit_code) == ("sync-timetable", "succeeded", 0)
    assert run.counts == {
        "created": 2,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "slots_created": 3,
        "slots_updated": 0,
        "slots_removed": 0,
    }
    # It should send one authenticated POST, and the app should read the feed once.
    (call,) = app_server.requests
    assert (call.method, call.path, call.headers["Authorization"]) == (
        "POST",
        "/api/groups/update",
        f"Bearer {TOKEN}",
    )
    assert [(r.method, r.path) for r in feed.requests] == [("GET", "/timetable.json")]


def test_it_updates_and_removes_groups_to_match_the_feed(app_server):
    existing_group(
        "ING1-A",
        "Old name",
        (1, time(8, 30), time(10, 0), "Algorithms"),
        (5, time(9), time(10), "Gone"),
    )
    existing_group(
        "ING1-B", "Engineering, first year, group B", (2, time(14), time(15, 30), "Algebra")
    )
    existing_group("OLD-1", "Dissolved group", (3, time(8), time(9), "History"))

    result = sync(app_server.url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(timetable()) == ["ING1-A", "ING1-B"]
    assert JobRun.objects.get().counts == {
        "created": 0,
        "updated": 1,
        "removed": 1,
        "unchanged": 1,
        "slots_created": 1,
        "slots_updated": 1,
        "slots_removed": 2,
    }
    # It should change nothing on a second run with the same feed.
    again = sync(app_server.url)
    assert again.summary["counts"]["unchanged"] == 2
    assert again.summary["counts"]["updated"] == again.summary["counts"]["created"] == 0


@pytest.mark.parametrize("variable", ["TOKEN", "BASE_URL"])
def test_it_exits_2_naming_a_missing_setting(app_server, feed, variable):
    settings_env = {"TOKEN": TOKEN, "BASE_URL": app_server.url, variable: ""}

    result = run_job("run", "sync-timetable", **settings_env)

    assert result.returncode == 2
    assert f"{variable} is not set" in result.summary["error"]
    assert JobRun.objects.get().error.startswith(f"{variable} is not set")
    # It should not call anything, let alone change the timetable.
    assert app_server.requests == [] and feed.requests == []
    assert not Group.objects.exists()


def test_it_exits_2_without_retrying_when_the_app_rejects_the_token(app_server, feed):
    result = sync(app_server.url, TOKEN="not-the-right-token")

    assert result.returncode == 2
    assert "rejected the token (HTTP 401)" in result.summary["error"]
    # It should ask once only: a wrong token stays wrong.
    assert len(app_server.requests) == 1
    assert feed.requests == [] and not Group.objects.exists()


def test_it_exits_2_without_retrying_on_403():
    with ScriptedServer(Reply(403, {"error": "This token may not update groups."})) as upstream:
        result = sync(upstream.url)

    assert result.returncode == 2
    assert result.summary["error"].endswith(
        "(HTTP 403): check TOKEN. This token may not update groups."
    )
    assert len(upstream.requests) == 1


def test_it_retries_a_500_and_succeeds():
    counts = {"created": 1, "updated": 2, "removed": 0}
    failing = Reply(500, {"error": "database restarting"})
    with ScriptedServer(failing, Reply(200, counts)) as upstream:
        result = sync(upstream.url)

    assert result.returncode == 0, result.stdout
    assert len(upstream.requests) == 2
    # It should report every kind it counts, 0 for those this app's answer left out.
    assert JobRun.objects.get().counts == {
        **counts,
        "unchanged": 0,
        "slots_created": 0,
        "slots_updated": 0,
        "slots_removed": 0,
    }
    # It should say why the run needed a second attempt.
    (retry,) = result.events("sync_timetable.retry")
    assert (retry["attempt"], retry["reason"]) == (1, "HTTP 500")


def test_it_waits_as_long_as_retry_after_says_on_429():
    counts = {"created": 0, "updated": 0, "removed": 0}
    throttled = Reply(429, {"error": "slow down"}, {"Retry-After": "1"})
    with ScriptedServer(throttled, Reply(200, counts)) as upstream:
        result = sync(upstream.url)

    assert result.returncode == 0, result.stdout
    first, second = upstream.requests
    # It should wait the second Retry-After asks for (the backoff factor is 0 in these tests).
    assert second.at - first.at >= 1
    (retry,) = result.events("sync_timetable.retry")
    assert (retry["reason"], retry["retry_after_seconds"]) == ("HTTP 429", 1)


def test_it_retries_a_refused_connection_then_exits_1():
    closed_port = free_port()

    result = sync(f"http://127.0.0.1:{closed_port}", SYNC_TIMETABLE_RETRIES=2)

    assert result.returncode == 1
    error = JobRun.objects.get().error
    url = f"http://127.0.0.1:{closed_port}/api/groups/update"
    assert error.startswith(f"POST {url} failed after 3 attempts")
    assert "Connection refused" in error
    assert [line["attempt"] for line in result.events("sync_timetable.retry")] == [1, 2]


def test_it_exits_1_on_404_without_retrying(app_server, feed):
    result = sync(f"{app_server.url}/wrong-prefix")

    assert result.returncode == 1
    assert "answered HTTP 404" in result.summary["error"]
    assert len(app_server.requests) == 1
    assert feed.requests == [] and not Group.objects.exists()
    # It should report the same seven kinds as a run that refreshed, all 0.
    assert result.summary["counts"] == {
        "created": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
        "slots_created": 0,
        "slots_updated": 0,
        "slots_removed": 0,
    }


def test_it_exits_1_and_changes_nothing_when_the_feed_is_invalid(app_server, feed):
    existing_group("ING1-A", "Kept as it is", (1, time(8, 30), time(10), "Algorithms"))
    before = timetable()
    bad_group = {**FEED["groups"][1], "slots": [{"day": "funday"}]}
    broken = {"version": 1, "groups": [FEED["groups"][0], bad_group]}
    feed.script(Reply(200, broken))

    result = sync(app_server.url, SYNC_TIMETABLE_RETRIES=1)

    assert result.returncode == 1
    error = JobRun.objects.get().error
    assert "answered HTTP 502: The timetable feed is invalid, nothing was changed" in error
    assert "groups[1].slots[0].day: 'funday' is not one of monday" in error
    assert timetable() == before


def test_it_exits_1_and_changes_nothing_when_the_feed_is_unreachable(settings, app_server):
    existing_group("ING1-A", "Kept as it is", (1, time(8, 30), time(10), "Algorithms"))
    before = timetable()
    settings.TIMETABLE_FEED_URL = f"http://127.0.0.1:{free_port()}/timetable.json"

    result = sync(app_server.url, SYNC_TIMETABLE_RETRIES=1)

    assert result.returncode == 1
    error = result.summary["error"]
    assert "answered HTTP 502: Cannot reach the timetable feed (ConnectionError)" in error
    # It should retry a 502 (the feed may come back), then give up.
    assert len(app_server.requests) == 2
    assert timetable() == before


def test_it_succeeds_when_the_feed_recovers_on_a_retry(app_server, feed):
    feed.script(Reply(500, "feed exporter crashed"), Reply(200, FEED))

    result = sync(app_server.url)

    assert result.returncode == 0, result.stdout
    assert [line["reason"] for line in result.events("sync_timetable.retry")] == ["HTTP 502"]
    assert sorted(timetable()) == ["ING1-A", "ING1-B"]


def test_it_gives_up_on_a_slow_call_after_the_timeout_per_call():
    with ScriptedServer(Reply(200, {}, delay=30)) as upstream:
        result = sync(upstream.url, "--timeout-per-call", "1", SYNC_TIMETABLE_RETRIES=0)

    assert result.returncode == 1
    assert "failed after 1 attempts" in result.summary["error"]
    assert "timed out" in result.summary["error"]


def test_it_never_shows_the_token_in_logs_records_or_metrics(clean_pushgateway):
    # An upstream whose error answer quotes the token back, so it reaches the job's message.
    echo = Reply(500, {"error": f"bad request from Bearer {TOKEN}"})
    gateway = clean_pushgateway.url
    with ScriptedServer(echo) as upstream:
        result = sync(upstream.url, "--verbose", SYNC_TIMETABLE_RETRIES=1, PUSHGATEWAY_URL=gateway)

    assert result.returncode == 1
    assert TOKEN not in result.stdout + result.stderr
    assert "bad request from Bearer ***" in result.summary["error"]
    run = JobRun.objects.get()
    assert TOKEN not in f"{run.error} {run.arguments} {run.counts}"
    # It should push the run's metrics, none of which carries the token.
    assert clean_pushgateway.value("cronsuite_job_last_run_exit_code", job="sync-timetable") == 1
    assert TOKEN not in requests.get(f"{clean_pushgateway.url}/metrics", timeout=5).text


def test_manage_py_update_schedules_runs_the_same_job(app_server):
    env = job_environment(BASE_URL=app_server.url, TOKEN=TOKEN, SYNC_TIMETABLE_BACKOFF_FACTOR="0")

    finished = subprocess.run(
        [sys.executable, "manage.py", "update_schedules"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    run = JobRun.objects.get()
    assert (run.job, run.status) == ("sync-timetable", "succeeded")
    assert Group.objects.count() == 2
