"""How a run knows it was scheduled, started by hand, or run locally."""

from datetime import UTC, datetime

import pytest

from jobs.models import JobRun
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
