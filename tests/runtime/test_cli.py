"""The command line: listing, usage errors and configuration errors, each with its exit code."""

import io
import json

import pytest

from jobs.runtime import cli
from tests.support.processes import run_job

pytestmark = pytest.mark.core


def call(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_it_lists_every_job_with_its_description_and_options():
    code, out, _ = call("list")
    assert code == 0
    # It should show each job's sentence and its own options.
    assert "housekeeping" in out and "Delete old conversations" in out
    assert "--dry-run" in out and "--x" in out


def test_it_lists_jobs_as_json_for_machines():
    code, out, _ = call("list", "--json")
    jobs = {job["name"]: job for job in json.loads(out)["jobs"]}
    assert code == 0
    assert jobs["housekeeping"]["description"].startswith("Delete old conversations")
    task_option = next(o for o in jobs["housekeeping"]["options"] if o["flags"] == ["--task"])
    assert task_option["choices"] == ["conversations", "messages", "users", "stats"]


def test_an_unknown_job_exits_2_and_names_the_known_ones():
    code, _, err = call("run", "housekeping")
    assert code == 2
    assert "unknown job 'housekeping'" in err
    assert "Known jobs: addition, " in err and "housekeeping" in err


def test_a_bad_option_exits_2_with_the_reason():
    code, _, err = call("run", "addition", "--x", "ten")
    assert code == 2
    assert "argument --x: invalid int value: 'ten'" in err


def test_a_missing_command_exits_2():
    code, _, err = call()
    assert code == 2
    assert "required" in err


def test_an_invalid_setting_exits_2_naming_the_variable():
    result = run_job("run", "addition", JOB_TIMEOUT="soon")
    assert result.returncode == 2
    assert "JOB_TIMEOUT must be a whole number, got 'soon'" in result.stderr


def test_an_invalid_database_url_exits_2():
    result = run_job("run", "addition", DATABASE_URL="nosuchdb://x")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr


def test_help_exits_0():
    result = run_job("run", "housekeeping", "--help")
    assert result.returncode == 0
    assert "--dry-run" in result.stdout and "--timeout" in result.stdout
