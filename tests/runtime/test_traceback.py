"""An unexpected error keeps its traceback on the run's row (masked, its end kept), so the admin
can show where a run failed without the pod's log; an error raised on purpose keeps none."""

import pytest

from jobs.models import JobRun
from tests.support.processes import run_job

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]


def test_a_crash_stores_its_traceback_with_secrets_masked():
    result = run_job(
        "run", "fail", "--crash", "--message", "token s3cr3t-t0ken", TOKEN="s3cr3t-t0ken"
    )

    assert result.returncode == 1
    run = JobRun.objects.get()
    # It should end where the job failed, and never show the secret.
    assert run.traceback.startswith("Traceback (most recent call last):")
    assert run.traceback.rstrip().endswith("ZeroDivisionError: token ***")
    assert 'tests/support/jobs.py", line' in run.traceback
    assert "s3cr3t-t0ken" not in run.traceback


def test_a_failure_raised_on_purpose_stores_no_traceback():
    result = run_job("run", "fail", "--message", "upstream answered 503")

    assert result.returncode == 1
    assert JobRun.objects.get().traceback == ""
