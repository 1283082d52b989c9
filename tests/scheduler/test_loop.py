"""The loop's one-step functions, called with the time the test chooses, as healthchecks' tests
call sendalerts' steps: what a fire, a failed start and a reload do to the schedule."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from jobs.runtime import logs
from jobs.scheduler.config import load
from jobs.scheduler.leader import leadership
from jobs.scheduler.loop import Scheduler
from jobs.scheduler.observe import Metrics
from tests.support.processes import wait_until
from tests.support.scheduler import values_file

pytestmark = pytest.mark.django_db(transaction=True)

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "schedule": "* * * * *", "timeout": 30, "backoffLimit": 2}


class FixedClock:
    def __init__(self, now: datetime):
        self.time = now

    def now(self) -> datetime:
        return self.time


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    logs.configure(stream, "json", "DEBUG", [])
    return lambda event: [
        line for line in map(json.loads, stream.getvalue().splitlines()) if line["event"] == event
    ]


@pytest.fixture
def scheduler_for(tmp_path):
    """A leading Scheduler on these entries; its lock released at the end, whatever happened."""
    made = []

    def make(entries: dict, clock: FixedClock, command) -> Scheduler:
        plan = load([str(values_file(tmp_path, entries))], True, clock.now())
        scheduler = Scheduler(plan, clock, leadership(), Metrics(), command=command)
        made.append(scheduler)
        assert scheduler.lead(clock.now())
        return scheduler

    yield make
    for scheduler in made:
        scheduler.leadership.release()


def test_a_child_that_cannot_start_is_logged_and_retried_after_the_backoff(
    scheduler_for, log_lines
):
    clock = FixedClock(NOON - timedelta(seconds=30))
    scheduler = scheduler_for({"add": ADD}, clock, ("/no/such/python", "-m", "jobs"))

    clock.time = NOON
    scheduler.fire_due(clock.now())
    wait_until(lambda: scheduler.runs.reap(clock.now()), message="the child to exit")

    # It should say why, and plan the retry 10 s later as for a failed attempt.
    (failed,) = log_lines("scheduler.start_failed")
    assert failed["message"] == "Could not start add: /no/such/python cannot be run (exit 127)."
    (retry,) = log_lines("scheduler.retry")
    assert retry["retry_at"] == (NOON + timedelta(seconds=10)).isoformat()
    # At the retry time it tries again, and the backoff doubles.
    clock.time = NOON + timedelta(seconds=10)
    assert scheduler.runs.retry_due(clock.now()) == 1
    assert log_lines("scheduler.start_failed")[1]["message"].startswith(
        "Could not start add: /no/such/python: "
    )
    assert [line["delay_seconds"] for line in log_lines("scheduler.retry")] == [10, 20]


def test_a_reloaded_entry_starts_from_its_next_due_time_not_a_catch_up(
    scheduler_for, tmp_path, log_lines
):
    clock = FixedClock(NOON - timedelta(seconds=30))
    scheduler = scheduler_for({"add": ADD}, clock, ("true",))
    hourly = {**ADD, "schedule": "15 * * * *"}
    plan = load([str(values_file(tmp_path, {"add": hourly}, name="new.yaml"))], True, NOON)

    clock.time = NOON + timedelta(minutes=20)
    scheduler.reload(plan, clock.now())

    # 12:15 passed before the reload: it should wait for 13:15, not fire 12:15 late.
    assert scheduler.next_at["add"] == NOON + timedelta(hours=1, minutes=15)
    assert scheduler.fire_due(clock.now()) == 0


def test_the_loop_sleeps_until_the_next_due_time_at_most_a_second(scheduler_for):
    clock = FixedClock(NOON - timedelta(seconds=30))
    scheduler = scheduler_for({"add": ADD}, clock, ("true",))

    assert scheduler.sleep_seconds(NOON - timedelta(seconds=30)) == 1.0
    assert scheduler.sleep_seconds(NOON - timedelta(seconds=0.25)) == 0.25
    assert scheduler.sleep_seconds(NOON + timedelta(seconds=1)) == 0.0
