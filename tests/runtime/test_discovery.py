"""A project's own jobs, named in JOB_MODULES: what such a module may list, and what a person is
told when it lists something else or does not exist."""

import pytest

from jobs.models import JobRun
from tests.support.processes import run_job

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]


def test_a_module_listing_job_classes_runs_them():
    result = run_job("run", "greet", "--name", "Ada", JOB_MODULES="tests.support.job_classes")

    assert result.returncode == 0, result.stderr
    # It should run the class's handle() and record the run like any other job's.
    (said,) = result.events("greet.said")
    assert said["message"] == "Hello, Ada." and said["job"] == "greet"
    run = JobRun.objects.get()
    assert (run.job, run.status, run.counts) == ("greet", "succeeded", {"greetings": 1})


def test_a_module_listing_job_classes_shows_them_in_the_listing():
    result = run_job("list", JOB_MODULES="tests.support.job_classes")

    assert result.returncode == 0, result.stderr
    assert "greet" in result.stdout and "Say hello" in result.stdout


def test_a_module_listing_something_else_exits_2_saying_what_to_write():
    result = run_job("run", "greet", JOB_MODULES="tests.support.misdeclared_jobs")

    assert result.returncode == 2
    # It should name the module and the wrong item, and show what to write instead.
    assert "tests.support.misdeclared_jobs.JOBS holds 'greet'" in result.stderr
    assert "list Job subclasses, e.g. JOBS = [MyJob]" in result.stderr
    # It should be a sentence, not a traceback, and stop before anything is recorded.
    assert "Traceback" not in result.stderr
    assert not JobRun.objects.exists()


def test_a_module_that_does_not_exist_exits_2_naming_it():
    result = run_job("run", "addition", JOB_MODULES="tests.support.no_such_jobs")

    assert result.returncode == 2
    assert "JOB_MODULES: cannot load jobs from 'tests.support.no_such_jobs'" in result.stderr
    assert "No module named 'tests.support.no_such_jobs'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not JobRun.objects.exists()
