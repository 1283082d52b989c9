"""End to end, an alert an operator tuned: an entry whose failure threshold is 2 runs the real
runtime against a real Pushgateway, and a real Prometheus evaluates the chart's rules. One
failure: CronsuiteJobFailed stays quiet. Two in a row: it fires, labelled with the failed run's
trigger. One success: it resolves. The second failure is a scheduled run that started an hour
after its time, past its starting deadline: CronsuiteJobStartedLate fires too.

The runs are the test job `sleep` (tests/support/jobs.py): past its JOB_TIMEOUT it times out
(exit 124, a failure), with --seconds 0 it succeeds."""

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support.processes import ROOT, job_environment, run_job, wait_until

ENTRY = "flaky"
FIRING = f'ALERTS{{alertname="CronsuiteJobFailed", entry="{ENTRY}", alertstate="firing"}}'
LATE = f'ALERTS{{alertname="CronsuiteJobStartedLate", entry="{ENTRY}", alertstate="firing"}}'


class FlakyEntry:
    """Runs of the entry `flaky` (job `sleep`, threshold 2) on one SQLite database."""

    def __init__(self, database_url: str, pushgateway_url: str):
        self.env = {
            "DATABASE_URL": database_url,
            "PUSHGATEWAY_URL": pushgateway_url,
            "CRONSUITE_ENTRY": ENTRY,
            "CRONSUITE_SCHEDULE": "*/5 * * * *",
            "CRONSUITE_FAILURE_THRESHOLD": "2",
            "CRONSUITE_STARTING_DEADLINE": "60",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=job_environment(**self.env),
            check=True,
            timeout=120,
        )

    def fail(self, **env):
        result = run_job("run", "sleep", "--seconds", "30", JOB_TIMEOUT="1", **self.env, **env)
        assert result.returncode == 124, result.stdout + result.stderr
        return result

    def succeed(self):
        result = run_job("run", "sleep", "--seconds", "0", **self.env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result


def evaluated_since(prometheus, moment: float) -> bool:
    """Every rule group has been evaluated after `moment` (Unix time)."""
    groups = requests.get(f"{prometheus.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    return bool(groups) and all(
        datetime.fromisoformat(group["lastEvaluation"]).timestamp() > moment for group in groups
    )


def consecutive_failures(prometheus, count: int) -> list[dict]:
    """Waits until Prometheus holds the entry's count of failures in a row."""
    return prometheus.eventually(
        f'cronsuite_job_consecutive_failures{{entry="{ENTRY}"}} == {count}', timeout=30
    )


@pytest.fixture(scope="module")
def flaky(prometheus, pushgateway, tmp_path_factory):
    database = tmp_path_factory.mktemp("database") / "cronsuite.sqlite3"
    return FlakyEntry(f"sqlite:///{database}", pushgateway.url)


def test_a_threshold_of_two_is_quiet_after_one_failure_fires_after_two_resolves_on_success(
    prometheus, flaky
):
    flaky.fail()
    consecutive_failures(prometheus, 1)
    seen = time.time()
    wait_until(lambda: evaluated_since(prometheus, seen), timeout=30, interval=0.2)
    # It should stay quiet: one failure is below the threshold of 2.
    assert prometheus.query(FIRING) == []

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    flaky.fail(CRONSUITE_SCHEDULED_FOR=an_hour_ago.isoformat())
    consecutive_failures(prometheus, 2)
    # It should fire at the second failure in a row, with the trigger of the failed run.
    (alert,) = prometheus.eventually(FIRING, timeout=30)
    assert alert["metric"]["trigger"] == "scheduled"
    assert alert["metric"]["severity"] == "warning"

    flaky.succeed()
    consecutive_failures(prometheus, 0)
    # It should resolve at the next success.
    prometheus.eventually(FIRING, condition=lambda result: result == [], timeout=30)


def test_a_scheduled_run_that_started_past_its_starting_deadline_is_late(prometheus, flaky):
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    flaky.fail(CRONSUITE_SCHEDULED_FOR=an_hour_ago.isoformat())
    # It should push its lag (about an hour) beside the starting deadline it was given ...
    (lag,) = prometheus.eventually(
        f'cronsuite_job_last_run_start_lag_seconds{{entry="{ENTRY}"}} > 3000', timeout=30
    )
    assert 3600 <= float(lag["value"][1]) < 3600 + 120
    # ... and CronsuiteJobStartedLate should fire, then resolve when a scheduled run is on time.
    prometheus.eventually(LATE, timeout=30)
    flaky.fail(CRONSUITE_SCHEDULED_FOR=datetime.now(UTC).isoformat())
    prometheus.eventually(LATE, condition=lambda result: result == [], timeout=30)
