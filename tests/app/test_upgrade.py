"""A database made by the layout before the jobs app existed (JobRun in app/runs) upgrades to this
one with its run history intact: the jobs app keeps the label "runs", so its table, migration
history and permissions are the ones that database already has."""

import sqlite3
import subprocess
import sys
import tarfile
from io import BytesIO

import pytest

from tests.support.processes import ROOT

# The last commit with JobRun in app/runs.
LANDED_BEFORE_THE_MOVE = "dcbdfe7"


def old_tree(destination) -> None:
    archive = subprocess.run(
        ["git", "archive", LANDED_BEFORE_THE_MOVE], cwd=ROOT, capture_output=True, timeout=60
    )
    if archive.returncode != 0:
        pytest.skip(f"commit {LANDED_BEFORE_THE_MOVE} is not in this clone (a shallow clone?)")
    tarfile.open(fileobj=BytesIO(archive.stdout)).extractall(destination, filter="data")


def run(tree, *args, database) -> subprocess.CompletedProcess:
    env = {"DATABASE_URL": f"sqlite:///{database}", "LOG_FORMAT": "json", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


def test_an_old_database_upgrades_with_its_run_history(tmp_path):
    old = tmp_path / "old"
    old_tree(old)
    database = tmp_path / "cronsuite.sqlite3"
    assert run(old, "manage.py", "migrate", "--noinput", database=database).returncode == 0
    assert run(old, "-m", "jobs", "run", "addition", "--x", "2", database=database).returncode == 0

    # It should apply only what came after the move, and then find nothing left to migrate...
    upgrade = run(ROOT, "manage.py", "migrate", "--noinput", database=database)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert "Applying runs.0001" not in upgrade.stdout
    check = run(ROOT, "manage.py", "migrate", "--check", database=database)
    assert check.returncode == 0, check.stdout + check.stderr
    # ...and read the old run through the new app, in the same table.
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT job, status, arguments FROM runs_jobrun").fetchall()
    assert rows == [("addition", "succeeded", '{"x": 2, "y": 0}')]
    shown = run(ROOT, "manage.py", "shell", "-v", "0", "-c", SHOW_RUNS, database=database)
    assert shown.stdout.strip() == "addition succeeded {'x': 2, 'y': 0}", shown.stderr


SHOW_RUNS = """
from jobs.models import JobRun
for run in JobRun.objects.all():
    print(run.job, run.status, run.arguments)
"""
