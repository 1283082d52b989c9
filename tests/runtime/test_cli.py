"""The command line: listing, usage errors and configuration errors, each with its exit code."""

import io
import json
import re

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


def test_no_command_shows_the_commands_and_the_jobs_and_exits_2():
    code, out, err = call()

    # It should be a usage error (not success), answered with the help a person needs.
    assert code == 2 and out == ""
    assert "usage: python -m jobs" in err
    assert all(command in err for command in ("list ", "run ", "check "))
    assert "jobs:" in err and "housekeeping" in err and "Delete old conversations" in err


def test_run_without_a_job_shows_the_jobs_and_exits_2():
    code, out, err = call("run")

    assert code == 2 and out == ""
    assert "usage: python -m jobs run NAME" in err
    assert "addition" in err and "`python -m jobs run NAME --help`" in err


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


def test_help_lists_the_commands_and_the_jobs_and_exits_0():
    result = run_job("--help", COLUMNS=80)

    assert result.returncode == 0 and result.stderr == ""
    assert all(command in result.stdout for command in ("list ", "run ", "check "))
    assert "jobs:" in result.stdout and "sync-timetable" in result.stdout
    assert_fits_in_80_columns(result.stdout)


def test_run_help_lists_the_jobs_and_how_to_see_their_options():
    result = run_job("run", "--help", COLUMNS=80)

    assert result.returncode == 0 and result.stderr == ""
    # It should say what the command does and how it ends, then the jobs it can run.
    assert "usage: python -m jobs run NAME [options]" in result.stdout
    assert "124 deadline exceeded" in " ".join(result.stdout.split())
    assert "  housekeeping          Delete old conversations" in result.stdout
    assert "`python -m jobs run NAME --help` shows a job's options" in result.stdout
    assert_fits_in_80_columns(result.stdout)


def test_the_listing_fits_in_80_columns():
    code, out, _ = call("list")

    assert code == 0
    # It should wrap a long sentence under itself, not leave it to the terminal.
    assert "cleanup-logs          Delete run history and admin log entries older than\n" in out
    assert_fits_in_80_columns(out)


def assert_fits_in_80_columns(text: str) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert not too_wide, too_wide


def test_list_shows_that_a_suspended_entry_will_not_run(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("jobs:\n  housekeeping:\n    suspend: true\n")

    code, out, _ = call("list", "--values", str(values))

    assert code == 0
    # It should give no next run times for the suspended entry, and say why.
    assert entry_block(out, "housekeeping") == [
        "housekeeping  [suspended]",
        "    runs:     housekeeping",
        "    schedule: 0 2 * * * (UTC)",
        "    next:     none, the entry is suspended (suspend: true)",
    ]
    # It should still give them for an active entry.
    assert entry_block(out, "statistics")[3].startswith("    next:     20")


def test_list_says_when_suspend_all_stops_every_entry(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("suspendAll: true\njobs:\n  addition:\n    suspend: true\n")

    code, out, _ = call("list", "--values", str(values))

    assert code == 0
    # It should give no next run times for any entry, each with its reason.
    assert entry_block(out, "housekeeping")[3] == (
        "    next:     none, every entry is suspended (suspendAll: true)"
    )
    assert (
        entry_block(out, "addition")[3]
        == "    next:     none, the entry is suspended (suspend: true)"
    )
    assert not re.search(r"next: +20", out)


def entry_block(listing: str, name: str) -> list[str]:
    """The lines `list` prints for one schedule entry: its header and its indented lines."""
    lines = listing.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}  ["))
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), len(lines)
    )
    return lines[start:end]
