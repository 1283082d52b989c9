"""The schedule the scheduler reads: the chart's entries, each bad value named by entry and field,
and the environment each child gets, as the chart gives it to a pod."""

from datetime import UTC, datetime

import pytest
import yaml

from jobs.scheduler.children import child_environment
from jobs.scheduler.config import ScheduleError, load
from tests.support.scheduler import values_file

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "schedule": "*/5 * * * *", "timeout": 30}


def plan_of(tmp_path, entries: dict, enabled: bool = True, **top):
    return load([str(values_file(tmp_path, entries, **top))], enabled, NOW)


def test_it_runs_the_entries_python_m_jobs_list_shows(tmp_path):
    plan = plan_of(tmp_path, {"add": ADD, "quiet": {**ADD, "suspend": True}})

    # It should run the enabled entries, keep the suspended ones aside, and merge the defaults.
    assert list(plan.entries) == ["add"] and plan.suspended == ["quiet"]
    timing = plan.entries["add"].timing
    assert (timing.schedule, timing.concurrency, timing.starting_deadline) == (
        "*/5 * * * *",
        "Forbid",
        60,
    )


def test_the_shipped_values_load_as_they_are():
    plan = load([], True, NOW)

    assert "housekeeping" in plan.entries and "addition" in plan.suspended


def test_background_jobs_disabled_suspends_every_entry(tmp_path):
    # BACKGROUND_JOBS_ENABLED=false is the chart's suspendAll: true.
    plan = plan_of(tmp_path, {"add": ADD}, enabled=False)

    assert plan.entries == {} and plan.suspended == ["add"]


@pytest.mark.parametrize(
    "settings,message",
    [
        (
            {**ADD, "timeZone": "Mars/Olympus"},
            "jobs.broken.timeZone: unknown time zone 'Mars/Olympus'",
        ),
        (
            {**ADD, "schedule": "0 0 2 * * *"},
            "jobs.broken.schedule: '0 0 2 * * *' is not a 5-field cron expression",
        ),
        ({**ADD, "schedule": "61 * * * *"}, "jobs.broken.schedule: '61 * * * *'"),
        (
            {**ADD, "concurrencyPolicy": "Sometimes"},
            "jobs.broken.concurrencyPolicy must be Forbid, Allow or Replace, got 'Sometimes'",
        ),
        ({**ADD, "timeout": "soon"}, "jobs.broken.timeout must be a whole number"),
        ({**ADD, "backoffLimit": -1}, "jobs.broken.backoffLimit must be a whole number of at"),
        ({**ADD, "job": "no-such-job"}, "jobs.broken.job: unknown job 'no-such-job'"),
    ],
)
def test_each_bad_value_is_named_by_entry_and_field(tmp_path, settings, message):
    with pytest.raises(ScheduleError) as stopped:
        plan_of(tmp_path, {"add": ADD, "broken": settings})

    assert str(stopped.value).startswith(message)
    # It should be a configuration error: exit 2.
    assert stopped.value.exit_code == 2


def test_an_override_naming_an_entry_the_chart_lacks_is_a_typo(tmp_path):
    typo = tmp_path / "typo.yaml"
    typo.write_text(yaml.safe_dump({"jobs": {"housekeepin": {"suspend": True}}}))

    with pytest.raises(ScheduleError) as stopped:
        load([str(typo)], True, NOW)

    assert f"{typo}: jobs.housekeepin is not an entry of the chart's values" in str(stopped.value)
    assert "housekeeping" in str(stopped.value)  # the entries there are


def test_a_disabled_entry_is_not_checked(tmp_path):
    # enabled: false is how an entry is switched off whatever it holds, as the chart renders none.
    off = {**ADD, "enabled": False, "timeZone": "Mars/Olympus"}

    plan = plan_of(tmp_path, {"add": ADD, "off": off})

    assert list(plan.entries) == ["add"]


def test_entries_inside_a_dst_transition_are_warned_about(tmp_path):
    paris = {**ADD, "schedule": "30 2 * * *", "timeZone": "Europe/Paris"}

    plan = plan_of(tmp_path, {"add": ADD, "paris": paris})

    assert [w.split(":")[0] for w in plan.warnings] == ["jobs.paris", "jobs.paris"]


def test_a_child_gets_what_the_chart_gives_a_pod(tmp_path):
    entry = {
        **ADD,
        "args": ["--x", "1"],
        "timeZone": "Europe/Paris",
        "activeDeadlineSeconds": 600,
        "env": [{"name": "LOG_LEVEL", "value": "DEBUG"}, {"name": "FROM_CLUSTER", "valueFrom": {}}],
    }
    plan = plan_of(tmp_path, {"add": entry}, config={"TIME_ZONE": "UTC", "EMAIL_USE_TLS": True})
    scheduler_environment = {"DATABASE_URL": "sqlite:///x", "LOG_LEVEL": "INFO", "TIME_ZONE": "X"}
    scheduler_environment["CRONSUITE_ENTRY"] = "leaked-from-the-shell"

    env = child_environment(plan.entries["add"], NOW, scheduler_environment)

    # It should set what the chart sets on each pod of the entry, and nothing inherited for it.
    assert env["CRONSUITE_ENTRY"] == "add"
    assert (env["CRONSUITE_SCHEDULE"], env["CRONSUITE_TIMEZONE"]) == ("*/5 * * * *", "Europe/Paris")
    assert (env["JOB_TIMEOUT"], env["CRONSUITE_JOB_DEADLINE"]) == ("30", "600")
    assert env["CRONSUITE_SCHEDULED_FOR"] == "2026-06-01T12:00:00+00:00"
    # The entry's env wins; the chart's config fills what the scheduler's environment lacks.
    assert env["LOG_LEVEL"] == "DEBUG" and env["TIME_ZONE"] == "X"
    assert env["EMAIL_USE_TLS"] == "true" and env["DATABASE_URL"] == "sqlite:///x"
    assert "FROM_CLUSTER" not in env


def test_without_an_explicit_active_deadline_a_child_gets_none(tmp_path):
    # The chart derives one in its templates; the scheduler does not copy that formula.
    plan = plan_of(tmp_path, {"add": ADD})

    assert "CRONSUITE_JOB_DEADLINE" not in child_environment(plan.entries["add"], NOW, {})
