"""manage.py's job commands behave as `python -m jobs run` does when a setting is bad: exit 2 and
one line naming the setting, before Django can turn it into "Unknown command" and a traceback."""

import subprocess
import sys

import pytest

from tests.support.processes import ROOT, job_environment

pytestmark = pytest.mark.core

COMMANDS = [
    ["runjob", "housekeeping"],
    ["run_housekeeping", "--task", "stats"],
    ["run_addition_task", "--x", "1"],
    ["update_schedules"],
    ["scheduler_info"],
    ["migrate", "--check"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_bad_setting_exits_2_with_one_line_naming_it(command):
    environment = job_environment(CONVERSATION_RETENTION_DAYS="-3")

    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stderr == "error: CONVERSATION_RETENTION_DAYS must be at least 1, got -3.\n"
    assert done.stdout == ""


@pytest.mark.parametrize("value", ["", None], ids=["empty", "unset"])
@pytest.mark.parametrize("command", [["manage.py", "migrate"], ["-m", "jobs", "run", "addition"]])
def test_in_the_image_no_database_url_is_a_configuration_error(command, value):
    # The image sets DATABASE_URL_REQUIRED, so the migration hook cannot migrate a throw-away file.
    environment = job_environment(DATABASE_URL_REQUIRED="true", DATABASE_URL=value or "")
    if value is None:
        del environment["DATABASE_URL"]

    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=environment, capture_output=True, text=True
    )

    assert done.returncode == 2
    assert done.stderr.startswith("error: DATABASE_URL is not set or empty")
