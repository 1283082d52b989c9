"""Signals, as a process manager or a person sends them: SIGTERM stops scheduling, forwards SIGTERM
to the children and SIGKILLs the ones still there after their grace, then exits 0; SIGHUP reloads
the values, or keeps the old schedule when the new file is broken."""

import signal
from datetime import UTC, datetime, timedelta

import pytest

from jobs.models import JobRun
from tests.support.scheduler import SchedulerProcess, values_file

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "schedule": "* * * * *", "timeout": 30}
STUBBORN = {"job": "stubborn", "schedule": "* * * * *", "timeout": 300}


def leading(schedulers, clock, entries: dict) -> SchedulerProcess:
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start(entries)
    scheduler.wait_for("scheduler.leader")
    return scheduler


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_forwards_sigterm_and_kills_a_child_that_ignores_it(schedulers, clock, stop):
    entries = {
        "stubborn": {**STUBBORN, "terminationGracePeriodSeconds": 2},
        "sleepy": {**ADD, "job": "sleep", "args": ["--seconds", "120"]},
    }
    scheduler = leading(schedulers, clock, entries)
    clock.set(NOON - timedelta(seconds=1))
    scheduler.wait_for("stubborn.started")
    scheduler.wait_for("sleep.started")

    scheduler.signal(stop)
    code = scheduler.stop()

    # It should SIGTERM both children, then SIGKILL the one still there after its 2 s.
    killed = [(line["entry"], line["signal"]) for line in scheduler.events("scheduler.killed")]
    assert sorted(killed) == [
        ("sleepy", "SIGTERM"),
        ("stubborn", "SIGKILL"),
        ("stubborn", "SIGTERM"),
    ]
    assert code == 0
    # The child that obeyed recorded itself; the killed one's row was closed for it.
    assert JobRun.objects.get(entry="sleepy").status == "interrupted"
    stubborn = JobRun.objects.get(entry="stubborn")
    assert (stubborn.status, stubborn.error) == (
        "interrupted",
        "killed by the scheduler (SIGKILL): shutdown",
    )
    # It should not start anything once told to stop.
    assert len(scheduler.events("scheduler.fired")) == 2


def test_sighup_applies_added_changed_and_removed_entries_from_their_next_due_time(
    schedulers, clock, tmp_path
):
    scheduler = leading(schedulers, clock, {"kept": ADD, "changed": ADD, "removed": ADD})
    hourly = {**ADD, "schedule": "30 * * * *"}
    values_file(
        tmp_path, {"kept": ADD, "changed": hourly, "added": ADD}, name=scheduler.values.name
    )

    scheduler.signal(signal.SIGHUP)
    (reloaded,) = scheduler.wait_for("scheduler.reloaded")
    clock.set(NOON - timedelta(seconds=1))
    scheduler.wait_for("run.finished", count=2)

    assert (reloaded["added"], reloaded["changed"], reloaded["removed"]) == (
        ["added"],
        ["changed"],
        ["removed"],
    )
    # 12:00: the kept and the added entries run; the changed one waits for 12:30; removed is gone.
    fired = sorted(line["entry"] for line in scheduler.events("scheduler.fired"))
    assert fired == ["added", "kept"]


def test_a_broken_file_on_sighup_keeps_the_old_schedule(schedulers, clock):
    scheduler = leading(schedulers, clock, {"add": ADD})
    scheduler.values.write_text("jobs: {add: {schedule: '0 0 2 * * *'")  # cut short

    scheduler.signal(signal.SIGHUP)
    (failed,) = scheduler.wait_for("scheduler.reload_failed")
    clock.set(NOON - timedelta(seconds=1))
    (fired,) = scheduler.wait_for("scheduler.fired")

    assert failed["level"] == "error"
    assert failed["message"].startswith("Reload failed; the old schedule stays: values file is")
    assert fired["due"] == NOON.isoformat()


def test_a_bad_value_on_sighup_is_named_and_the_old_schedule_stays(schedulers, clock, tmp_path):
    scheduler = leading(schedulers, clock, {"add": ADD})
    values_file(tmp_path, {"add": {**ADD, "timeZone": "Mars/Olympus"}}, name=scheduler.values.name)

    scheduler.signal(signal.SIGHUP)
    (failed,) = scheduler.wait_for("scheduler.reload_failed")

    assert "jobs.add.timeZone: unknown time zone 'Mars/Olympus'" in failed["message"]
    assert scheduler.process.poll() is None
