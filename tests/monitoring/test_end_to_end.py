"""End to end: real job runs push to a real Pushgateway, a real Prometheus scrapes it every
second with honor_labels and evaluates the chart's rules file; the dashboard and the alerts are
then asked what an operator would ask.

The runs: `addition` succeeds, `fail` (a test job) fails with exit 1, `addition` under a second
entry is skipped because its lock is held, housekeeping's `stats` task succeeds (application
statistics), and the entry `housekeeping-nightly` never runs at all."""

import subprocess
import sys
import textwrap

import pytest
import requests
import yaml

from monitoring import dashboard
from tests.conftest import ROOT, job_environment, run_job, wait_until
from tests.monitoring.conftest import RULES, as_prometheus_query, promtool

SCHEDULE = "*/5 * * * *"
NEVER_RAN = "housekeeping-nightly"

# Holds one job's overlap lock, exactly as a running job would, until stdin closes.
HOLD_LOCK = textwrap.dedent(
    """\
    import sys
    from jobs.cli import setup_django
    setup_django()
    from jobs.locking import job_lock
    with job_lock(sys.argv[1]) as acquired:
        print("held" if acquired else "busy", flush=True)
        sys.stdin.readline()
    """
)


def alert_expression(name: str) -> str:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    (rule,) = [rule for group in groups for rule in group["rules"] if rule.get("alert") == name]
    return rule["expr"]


def entries(result: list[dict]) -> set[tuple[str, str]]:
    return {(series["metric"].get("job"), series["metric"].get("entry")) for series in result}


class Runs:
    """Runs real jobs as subprocesses against one SQLite database and one Pushgateway."""

    def __init__(self, database_url: str, pushgateway_url: str):
        self.env = {"DATABASE_URL": database_url, "PUSHGATEWAY_URL": pushgateway_url}

    def migrate(self):
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=job_environment(**self.env),
            check=True,
            timeout=120,
        )

    def run(self, entry: str, *args: str):
        return run_job("run", *args, CRONSUITE_ENTRY=entry, CRONSUITE_SCHEDULE=SCHEDULE, **self.env)

    def run_while_locked(self, entry: str, job: str, *args: str):
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, job],
            cwd=ROOT,
            env=job_environment(**self.env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "held", "the lock should be free before the test takes it"
            return self.run(entry, job, *args)
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)


@pytest.fixture(scope="module")
def runs(prometheus, pushgateway, tmp_path_factory):
    """Every run of the story, finished before any test looks at Prometheus."""
    database = tmp_path_factory.mktemp("database") / "cronsuite.sqlite3"
    runs = Runs(f"sqlite:///{database}", pushgateway.url)
    runs.migrate()
    results = {
        "succeeded": runs.run("addition", "addition", "--x", "1", "--y", "2"),
        "failed": runs.run("fail", "fail"),
        "skipped": runs.run_while_locked("addition-overlap", "addition"),
        "stats": runs.run("housekeeping-stats", "housekeeping", "--task", "stats"),
    }
    for name, result in results.items():
        assert result.returncode == (1 if name == "failed" else 0), f"{name}: {result.stdout}{result.stderr}"
    assert results["skipped"].summary["status"] == "skipped"
    # Prometheus scrapes the whole Pushgateway at once: one series of the last run means all.
    prometheus.eventually('cronsuite_job_last_run_status{entry="housekeeping-stats", status="succeeded"} == 1')
    return results


def test_every_dashboard_query_returns_data(prometheus, runs):
    for title, ref, expr in dashboard.queries(dashboard.dashboard()):
        result = prometheus.eventually(as_prometheus_query(expr), timeout=30)
        assert result, f"panel {title!r} query {ref} should return data"


def test_the_failed_alert_expression_returns_exactly_the_failed_job(prometheus, runs):
    result = prometheus.eventually(alert_expression("CronsuiteJobFailed"))
    assert entries(result) == {("fail", "fail")}


def test_only_the_failed_alert_fires(prometheus, runs):
    firing = prometheus.eventually('ALERTS{alertstate="firing"}')
    assert {(s["metric"]["alertname"], s["metric"].get("job"), s["metric"].get("entry")) for s in firing} == {
        ("CronsuiteJobFailed", "fail", "fail")
    }


def test_the_pushed_labels_survive_the_scrape(prometheus, runs):
    result = prometheus.query("cronsuite_job_last_success_timestamp_seconds")
    assert entries(result) == {("addition", "addition"), ("housekeeping", "housekeeping-stats")}
    for series in result:
        assert "instance" not in series["metric"], "honor_labels should keep the Pushgateway's empty instance"


def test_a_skipped_run_records_only_the_skip(prometheus, runs):
    assert entries(prometheus.query("cronsuite_job_last_skip_timestamp_seconds")) == {("addition", "addition-overlap")}
    assert prometheus.query('cronsuite_job_last_run_status{entry="addition-overlap"}') == []


def test_an_entry_that_never_ran_has_no_series_and_no_alert(prometheus, runs):
    assert prometheus.query(f'{{entry="{NEVER_RAN}"}}') == []
    assert prometheus.query(f'ALERTS{{entry="{NEVER_RAN}"}}') == []


def our_families(exposition: str) -> str:
    """The cronsuite_* families of a Pushgateway's /metrics, HELP and TYPE lines included."""
    kept = []
    for line in exposition.splitlines():
        name = line.split(" ")[2] if line.startswith("# ") else line.split("{")[0].split(" ")[0]
        if name.startswith("cronsuite_"):
            kept.append(line)
    return "\n".join(kept) + "\n"


def test_promtool_check_metrics_is_clean_on_what_runs_push(pushgateway, runs):
    ours = our_families(requests.get(f"{pushgateway.url}/metrics", timeout=5).text)
    assert "cronsuite_job_last_success_timestamp_seconds{" in ours
    assert "cronsuite_app_users{" in ours
    result = promtool("check", "metrics", stdin=ours)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def test_prometheus_evaluates_every_rule_without_error(prometheus, runs):
    def evaluated_rules():
        groups = requests.get(f"{prometheus.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        return rules if rules and all(rule["health"] != "unknown" for rule in rules) else None

    rules = wait_until(evaluated_rules, timeout=30, interval=0.5, message="every rule to be evaluated once")
    assert len(rules) == len([r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]])
    assert {(rule["name"], rule["health"], rule.get("lastError", "")) for rule in rules} == {
        (rule["name"], "ok", "") for rule in rules
    }
