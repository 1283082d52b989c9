"""`python -m jobs schedule` and `manage.py start_scheduler` as processes: a due entry becomes a
child run recorded exactly as a CronJob's, and a bad values file stops it at start with exit 2."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from jobs.models import JobRun
from tests.support.processes import ROOT, job_environment
from tests.support.scheduler import JOB_MODULES, run_schedule, values_file

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "args": ["--x", "2", "--y", "3"], "schedule": "* * * * *", "timeout": 40}


def test_a_due_entry_runs_as_its_cronjob_would(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start({"add": ADD})
    scheduler.wait_for("scheduler.leader")

    clock.set(NOON - timedelta(seconds=1))
    (fired,) = scheduler.wait_for("scheduler.fired")
    scheduler.wait_for("run.finished")

    # It should start the entry's job with its arguments once, at its due time.
    assert (fired["entry"], fired["job"], fired["due"]) == ("add", "addition", NOON.isoformat())
    run = JobRun.objects.get()
    assert (run.entry, run.arguments, run.status) == ("add", {"x": 2, "y": 3}, "succeeded")
    # It should be recorded as the CronJob's own run: scheduled, for that minute.
    assert (run.trigger, run.scheduled_for) == ("scheduled", NOON)
    # It should give the child the entry's timeout, as the chart gives JOB_TIMEOUT to a pod.
    assert scheduler.events("run.started")[0]["timeout_seconds"] == 40
    # It should stop on SIGTERM with exit 0.
    assert scheduler.stop() == 0
    assert scheduler.events("scheduler.stopped")


def test_nothing_runs_before_its_time_or_twice(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start({"add": ADD})
    scheduler.wait_for("scheduler.leader")

    clock.set(NOON - timedelta(seconds=1))
    scheduler.wait_for("run.finished")
    clock.set(NOON + timedelta(seconds=58))
    scheduler.wait_for("run.finished", count=2)

    # It should fire 12:00 and 12:01, each once.
    assert [line["due"] for line in scheduler.events("scheduler.fired")] == [
        NOON.isoformat(),
        (NOON + timedelta(minutes=1)).isoformat(),
    ]


def test_background_jobs_disabled_runs_nothing(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))

    scheduler = schedulers.start({"add": ADD}, BACKGROUND_JOBS_ENABLED="false")

    (started,) = scheduler.wait_for("scheduler.started")
    # It should say that every entry is suspended, as suspendAll: true does.
    assert started["message"] == "Scheduling 0 entries (1 suspended)."
    assert started["suspended"] == ["add"]


@pytest.mark.parametrize(
    "entry,message",
    [
        ({**ADD, "timeZone": "Mars/Olympus"}, "jobs.add.timeZone: unknown time zone"),
        ({**ADD, "schedule": "0 0 2 * * *"}, "jobs.add.schedule: '0 0 2 * * *' is not a 5-field"),
    ],
)
def test_a_bad_value_stops_it_at_start_with_exit_2(tmp_path, entry, message):
    values = values_file(tmp_path, {"add": entry})

    result = run_schedule("--values", str(values))

    # It should say which entry and which field, on one line, and run nothing.
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not JobRun.objects.exists()


def test_an_unknown_entry_in_an_override_stops_it_at_start(tmp_path):
    typo = tmp_path / "typo.yaml"
    typo.write_text(yaml.safe_dump({"jobs": {"housekeepin": {"suspend": True}}}))

    result = run_schedule("--values", str(typo))

    assert result.returncode == 2
    assert "jobs.housekeepin is not an entry of the chart's values" in result.stderr


def test_start_scheduler_is_the_same_command(tmp_path):
    values = values_file(tmp_path, {"add": {**ADD, "timeZone": "Mars/Olympus"}})

    result = subprocess.run(
        [sys.executable, "manage.py", "start_scheduler", "--values", str(values)],
        cwd=ROOT,
        env=job_environment(JOB_MODULES=JOB_MODULES, SCHEDULER_METRICS_PORT=0),
        capture_output=True,
        text=True,
        timeout=60,
    )

    # It should stop with the same exit code and message as python -m jobs schedule.
    assert result.returncode == 2
    assert "jobs.add.timeZone: unknown time zone" in result.stderr
