"""On one machine the dashboard, the commands and the scheduler read one set of values: the
chart's values.yaml and the override files of CRONSUITE_VALUES, unless --values names others."""

import re

import pytest

from jobs import entries
from tests.support.processes import run_job
from tests.support.web import log_in

pytestmark = [pytest.mark.django_db, pytest.mark.core]

OVERRIDE = """\
jobs:
  nightly-export:
    job: addition
    args: ["--x", "1"]
    schedule: "15 3 * * *"
  housekeeping:
    suspend: true
"""


@pytest.fixture
def override(tmp_path, settings):
    path = tmp_path / "prod.yaml"
    path.write_text(OVERRIDE)
    settings.CRONSUITE_VALUES = [str(path)]
    return path


def test_the_dashboard_shows_the_entries_of_cronsuite_values(client, override):
    log_in(client, "runs.view_jobrun")

    html = client.get("/admin/scheduler/").content.decode()

    # It should show the override's own entry and its suspension, and say where they come from.
    assert 'data-entry="nightly-export"' in html
    housekeeping = re.search(r'<tr data-entry="housekeeping".*?</tr>', html, re.S)[0]
    assert ">paused<" in housekeeping
    assert f"values.yaml, {override}" in html


def test_the_dashboard_reads_an_override_again_once_it_changes(client, override):
    log_in(client, "runs.view_jobrun")
    client.get("/admin/scheduler/")

    override.write_text(OVERRIDE.replace("nightly-export", "weekly-export"))
    html = client.get("/admin/scheduler/").content.decode()

    assert 'data-entry="weekly-export"' in html and "nightly-export" not in html


def test_a_command_given_no_values_reads_cronsuite_values_and_values_replaces_it(override):
    with_setting = run_job("list", "--json", CRONSUITE_VALUES=str(override))
    given = run_job("list", "--json", "--values", str(override), CRONSUITE_VALUES="/nowhere.yaml")
    missing = run_job("list", CRONSUITE_VALUES="/nowhere.yaml")

    for result in (with_setting, given):
        assert result.returncode == 0, result.stderr
        assert "nightly-export" in result.stdout
    # It should stop at a file that is not there, naming it, with the configuration exit code.
    assert missing.returncode == 2 and "/nowhere.yaml" in missing.stderr


def test_load_without_files_uses_the_setting(override):
    assert "nightly-export" in {e.name for e in entries.load()}
    assert "nightly-export" not in {e.name for e in entries.load([str(entries.VALUES_FILE)])}
