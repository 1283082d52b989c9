"""The scheduler's own /metrics and /healthz, on loopback by default, read over real HTTP."""

import json
import socket
import time
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from jobs.scheduler.observe import STALE_SECONDS, Metrics
from tests.support.scheduler import run_schedule, values_file

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "schedule": "* * * * *", "timeout": 30}


def get(url: str) -> tuple[int, str, str]:
    try:
        with urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_metrics_count_fires_lateness_children_and_the_role(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    leader = schedulers.start({"add": ADD, "quiet": {**ADD, "suspend": True}})
    leader.wait_for("scheduler.leader")
    standby = schedulers.start({"add": ADD})
    standby.wait_for("scheduler.standby")

    clock.set(NOON - timedelta(seconds=1))
    leader.wait_for("run.finished")
    status, content_type, body = get(leader.url("/metrics"))

    assert status == 200 and content_type.startswith("text/plain")
    for line in [
        'cronsuite_scheduler_fires_total{entry="add"} 1.0',
        "cronsuite_scheduler_lateness_seconds_count 1.0",
        'cronsuite_scheduler_entries{state="active"} 1.0',
        'cronsuite_scheduler_entries{state="suspended"} 1.0',
        "cronsuite_scheduler_leader 1.0",
    ]:
        assert line in body.splitlines()
    # The standby says it is one.
    assert "cronsuite_scheduler_leader 0.0" in get(standby.url("/metrics"))[2].splitlines()


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_healthz_says_the_loop_goes_round_and_which_role_it_has(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start({"add": ADD})
    (started,) = scheduler.wait_for("scheduler.started")
    scheduler.wait_for("scheduler.leader")

    status, content_type, body = get(scheduler.url("/healthz"))

    assert (status, content_type) == (200, "application/json")
    assert json.loads(body)["status"] == "ok" and json.loads(body)["role"] == "leader"
    # It should listen on loopback only, unless told otherwise.
    assert started["metrics"] == f"http://127.0.0.1:{scheduler.port}/metrics"
    assert get(scheduler.url("/nothing"))[0] == 404


def test_healthz_fails_once_the_loop_has_stopped_going_round():
    metrics = Metrics()
    metrics.tick(leading=True, children=0)
    assert metrics.health()[0] == 200

    metrics.ticked = time.monotonic() - STALE_SECONDS - 1  # the loop stuck for that long

    status, body = metrics.health()
    assert (status, body["status"]) == (503, "stuck")


@pytest.mark.django_db(transaction=True)
def test_a_port_already_taken_stops_it_at_start_with_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        values = values_file(tmp_path, {"add": ADD})

        result = run_schedule("--values", str(values), SCHEDULER_METRICS_PORT=port)

    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: SCHEDULER_METRICS_ADDRESS and SCHEDULER_METRICS_PORT: cannot listen on "
        f"127.0.0.1:{port}"
    )
