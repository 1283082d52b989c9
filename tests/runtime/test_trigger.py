"""How a run knows it was scheduled, started by hand, or run locally."""

from datetime import UTC, datetime

import pytest

from jobs.models import JobRun
from jobs.runtime.errors import ConfigurationError
from jobs.runtime.origin import detect
from tests.support.processes import run_job

pytestmark = pytest.mark.core


def test_a_job_named_by_the_cronjob_controller_is_scheduled_for_that_minute():
    origin = detect("prod-statistics-29876543", "prod-statistics")
    assert origin.trigger == "scheduled"
    assert origin.scheduled_for == datetime.fromtimestamp(29876543 * 60, UTC)


def test_any_other_job_name_is_manual():
    assert detect("prod-statistics-manual-1764000000x", "prod-statistics").trigger == "manual"
    assert detect("prod-statistics-manual", "prod-statistics").trigger == "manual"


def test_a_prefix_that_only_looks_alike_is_manual():
    # "prod-stat" is another CronJob; its Jobs are not ours.
    assert detect("prod-statistics-29876543", "prod-stat").trigger == "manual"


def test_outside_kubernetes_it_is_local():
    assert detect(None, None).trigger == "local"


def test_a_due_time_from_the_local_scheduler_is_scheduled_for_that_time_in_utc():
    origin = detect(None, None, "2026-03-29T03:00:00+02:00")

    # It should keep the instant, whatever offset the scheduler wrote it with.
    assert origin.trigger == "scheduled"
    assert origin.scheduled_for == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_a_due_time_without_its_offset_is_a_configuration_error():
    # A wall-clock time alone is ambiguous once a year: it must say which instant it is.
    for value in ("2026-03-29T03:00:00", "yesterday"):
        with pytest.raises(ConfigurationError, match="CRONSUITE_SCHEDULED_FOR"):
            detect(None, None, value)


@pytest.mark.django_db(transaction=True)
def test_the_run_records_its_entry_trigger_and_pod():
    result = run_job(
        "run",
        "addition",
        CRONSUITE_ENTRY="addition-example",
        CRONSUITE_CRONJOB="rel-addition-example",
        CRONSUITE_K8S_JOB="rel-addition-example-29876543",
        CRONSUITE_POD="rel-addition-example-29876543-abcde",
    )

    assert result.returncode == 0
    run = JobRun.objects.get()
    assert (run.job, run.entry, run.trigger) == ("addition", "addition-example", "scheduled")
    assert run.scheduled_for == datetime.fromtimestamp(29876543 * 60, UTC)
    assert run.kubernetes_job == "rel-addition-example-29876543"
    assert run.host == "rel-addition-example-29876543-abcde"


@pytest.mark.django_db(transaction=True)
def test_a_run_started_by_the_local_scheduler_records_its_due_time():
    result = run_job(
        "run",
        "addition",
        CRONSUITE_ENTRY="addition-example",
        CRONSUITE_SCHEDULED_FOR="2026-11-01T01:30:00-04:00",
    )

    assert result.returncode == 0
    run = JobRun.objects.get()
    assert (run.entry, run.trigger, run.kubernetes_job) == ("addition-example", "scheduled", "")
    assert run.scheduled_for == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_a_bad_due_time_stops_the_run_with_exit_2_before_it_starts():
    result = run_job("run", "addition", CRONSUITE_SCHEDULED_FOR="01:30")

    assert result.returncode == 2
    assert "CRONSUITE_SCHEDULED_FOR" in result.stderr + result.stdout
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_manual_run_records_who_started_it_and_a_scheduled_one_names_no_one():
    # A Job made by Run now carries the person; a scheduled pod of a template that inherited
    # the variable (a Job recreated from a manual one, say) must not blame them for it.
    by_hand = run_job(
        "run",
        "addition",
        CRONSUITE_K8S_JOB="addition-manual-1764000000",
        CRONSUITE_CRONJOB="addition",
        CRONSUITE_STARTED_BY="olga",
    )
    on_time = run_job(
        "run",
        "addition",
        CRONSUITE_K8S_JOB="addition-29876543",
        CRONSUITE_CRONJOB="addition",
        CRONSUITE_STARTED_BY="olga",
    )

    assert (by_hand.returncode, on_time.returncode) == (0, 0)
    runs = JobRun.objects.order_by("started_at")
    assert [(r.trigger, r.started_by) for r in runs] == [("manual", "olga"), ("scheduled", "")]
    # It should say who in the run's first log line too.
    assert "Started addition (manual, by olga)." in by_hand.stdout + by_hand.stderr
