"""The ways to run the scheduler without Kubernetes start the command that exists: `make schedule`,
the Procfile's `scheduler` process and the systemd unit in docs/, each read as its tool reads it."""

import configparser
import shlex
import subprocess

from jobs.runtime.cli import build_parser
from tests.support.processes import ROOT


def schedule_arguments(command: str) -> list[str]:
    """What follows `python -m jobs` in a shell command line, checked by the real parser."""
    words = shlex.split(command)
    start = words.index("-m") + 2  # python -m jobs ...
    assert words[start - 1] == "jobs"
    args = build_parser().parse_args(words[start:])
    assert args.command == "schedule"
    return words[start:]


def test_make_schedule_migrates_then_schedules_on_the_local_database():
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "schedule"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()

    # It should prepare the database make run uses, then run the scheduler on it.
    assert any("manage.py migrate" in line for line in dry_run)
    assert schedule_arguments(dry_run[-1]) == ["schedule"]


def test_the_procfile_runs_the_web_app_and_one_scheduler():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )

    assert set(processes) == {"web", "scheduler"}
    # exec: the platform's SIGTERM must reach the scheduler, not a shell in front of it.
    assert processes["scheduler"].split()[0] == "exec"
    assert schedule_arguments(processes["scheduler"]) == ["schedule"]
    assert "$PORT" in processes["web"]


def test_the_systemd_unit_stops_reloads_and_restarts_the_scheduler_as_it_expects():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd's keys are case-sensitive
    unit.read(ROOT / "docs" / "scheduler.service")
    service = unit["Service"]

    # The values come from CRONSUITE_VALUES in the environment file, which the web app shares.
    assert schedule_arguments(service["ExecStart"]) == ["schedule"]
    assert service["EnvironmentFile"].startswith("/etc/cronsuite/")
    # SIGHUP reloads; SIGTERM goes to the scheduler alone, which stops its children itself.
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["KillMode"] == "mixed"
    # A configuration error (exit 2) is not restarted; a clean stop (exit 0) is not either.
    assert (service["Restart"], service["RestartPreventExitStatus"]) == ("on-failure", "2")
