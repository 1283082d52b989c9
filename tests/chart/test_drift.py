"""No drift between jobs/ and the chart: every job is scheduled, every entry runs a job that accepts its args."""

import pytest

from jobs.entries import from_values, load_values
from jobs.runtime.discovery import all_jobs
from jobs.runtime.errors import UsageError


def registered() -> dict:
    # The jobs of jobs/ only: JOB_MODULES adds a project's (or the tests') own jobs.
    return all_jobs()


def test_every_registered_job_is_scheduled_by_an_entry():
    scheduled = {e.job for e in from_values(load_values())}
    assert set(registered()) - scheduled == set()


@pytest.mark.parametrize("entry", from_values(load_values()), ids=lambda e: e.name)
def test_every_entry_names_a_registered_job_that_accepts_its_args(entry):
    jobs = registered()
    assert entry.job in jobs, f"entry {entry.name!r} runs unknown job {entry.job!r}"
    jobs[entry.job].build_parser().parse_args(entry.args)


def test_a_bad_option_is_caught():
    with pytest.raises(UsageError):
        registered()["housekeeping"].build_parser().parse_args(["--task", "everything"])
