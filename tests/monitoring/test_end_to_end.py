"""End to end: real job runs push to a real Pushgateway, a real Prometheus scrapes it every
second with honor_labels and evaluates the chart's rules file; the dashboard and the alerts are
then asked what an operator would ask.

The runs: `addition` succeeds, `fail` (a test job) fails with exit 1, `addition` under a second
entry is skipped because its lock is held, housekeeping's `stats` task succeeds (application
statistics), and the entry `housekeeping-nightly` never runs at all: its CronJob exists but never
created a Job. There is no Kubernetes here, so the test pushes to the Pushgateway what
kube-state-metrics would export about the story's CronJobs (including that one and a suspended
one), and Prometheus scrapes it like the real thing."""

import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import pytest
import requests
import yaml

from monitoring import dashboard
from tests.support.processes import ROOT, job_environment, run_job, wait_until
from tests.support.prometheus import RULES, as_prometheus_query, promtool

SCHEDULE = "*/5 * * * *"
EVERY = 300  # seconds between two times of SCHEDULE
DAY = 86400
NEVER_RAN = "housekeeping-nightly"
SUSPENDED = "sync-external-data"

# Holds one job's overlap lock, exactly as a running job would, until stdin closes.
HOLD_LOCK = textwrap.dedent(
    """\
    import sys
    from jobs.runtime.cli import setup_django
    setup_django()
    from jobs.runtime.locking import job_lock
    with job_lock(sys.argv[1]) as acquired:
        print("held" if acquired else "busy", flush=True)
        sys.stdin.readline()
    """
)


def kube_state_metrics(now: float) -> str:
    """kube-state-metrics' view of the story's CronJobs (namespace apps, labels allow-listed), in
    the exposition format: kube_cronjob_labels, _created, _spec_suspend, _status_last_schedule_time,
    _status_last_successful_time and _next_schedule_time (dropped while suspended), as
    kube-state-metrics exports them."""
    cronjobs = {
        # entry: (job, created, suspended, last scheduled, last successful Job)
        "addition": ("addition", now - 2 * DAY, False, now - 60, now),
        "addition-overlap": ("addition", now - 2 * DAY, False, now - 60, now),  # a skip exits 0
        "housekeeping-stats": ("housekeeping", now - 2 * DAY, False, now - 60, now),
        # installed two minutes ago; its first Job failed: within its grace
        "fail": ("fail", now - 120, False, now - 60, None),
        # installed two days ago and never created a Job: long past its first time plus grace
        NEVER_RAN: ("housekeeping", now - 2 * DAY, False, None, None),
        # shipped suspended, never ran: intended or not, not alerted on
        SUSPENDED: ("sync-external-data", now - 2 * DAY, True, None, None),
    }
    lines = []
    for entry, (job, created, suspended, scheduled, succeeded) in cronjobs.items():
        key = f'namespace="apps",cronjob="cronsuite-{entry}"'
        lines.append(
            f'kube_cronjob_labels{{{key},label_cronsuite_io_entry="{entry}",label_cronsuite_io_job="{job}"}} 1'
        )
        lines.append(f"kube_cronjob_created{{{key}}} {created:.0f}")
        lines.append(f"kube_cronjob_spec_suspend{{{key}}} {int(suspended)}")
        if scheduled is not None:
            lines.append(f"kube_cronjob_status_last_schedule_time{{{key}}} {scheduled:.0f}")
        if succeeded is not None:
            lines.append(f"kube_cronjob_status_last_successful_time{{{key}}} {succeeded:.0f}")
        if not suspended:
            lines.append(
                f"kube_cronjob_next_schedule_time{{{key}}} {(scheduled or created) + EVERY:.0f}"
            )
    return "\n".join(lines) + "\n"


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

    def run(self, entry: str, *args: str, **env: str):
        return run_job(
            "run", *args, CRONSUITE_ENTRY=entry, CRONSUITE_SCHEDULE=SCHEDULE, **self.env, **env
        )

    def run_scheduled(self, entry: str, *args: str):
        """A run started by a scheduler at its due time (now): it pushes its start lag."""
        due = datetime.now(UTC).isoformat()
        return self.run(entry, *args, CRONSUITE_SCHEDULED_FOR=due, CRONSUITE_STARTING_DEADLINE="60")

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
            assert holder.stdout.readline().strip() == "held", (
                "the lock should be free before the test takes it"
            )
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
        "succeeded": runs.run_scheduled("addition", "addition", "--x", "1", "--y", "2"),
        "failed": runs.run("fail", "fail"),
        "skipped": runs.run_while_locked("addition-overlap", "addition"),
        "stats": runs.run("housekeeping-stats", "housekeeping", "--task", "stats"),
    }
    for name, result in results.items():
        assert result.returncode == (1 if name == "failed" else 0), (
            f"{name}: {result.stdout}{result.stderr}"
        )
    assert results["skipped"].summary["status"] == "skipped"
    requests.put(
        f"{pushgateway.url}/metrics/job/kube-state-metrics",
        data=kube_state_metrics(time.time()),
        timeout=5,
    ).raise_for_status()
    # Prometheus scrapes the whole Pushgateway at once: one series of the last push means all.
    prometheus.eventually(f'kube_cronjob_created{{cronjob="cronsuite-{SUSPENDED}"}}')
    return results


def test_every_dashboard_query_returns_data(prometheus, runs):
    for title, ref, expr in dashboard.queries(dashboard.dashboard()):
        result = prometheus.eventually(as_prometheus_query(expr), timeout=30)
        assert result, f"panel {title!r} query {ref} should return data"


def test_the_failed_alert_expression_returns_exactly_the_failed_job(prometheus, runs):
    result = prometheus.eventually(alert_expression("CronsuiteJobFailed"))
    assert entries(result) == {("fail", "fail")}


def test_only_the_failed_and_the_never_ran_alerts_fire(prometheus, runs):
    expected = {
        ("CronsuiteJobFailed", "fail", "fail"),
        ("CronsuiteCronJobNotSucceeded", "housekeeping", NEVER_RAN),
    }

    def alerts(result):
        return {
            (s["metric"]["alertname"], s["metric"].get("job"), s["metric"].get("entry"))
            for s in result
        }

    firing = prometheus.eventually(
        'ALERTS{alertstate="firing"}', condition=lambda result: alerts(result) >= expected
    )
    assert alerts(firing) == expected


def test_the_pushed_labels_survive_the_scrape(prometheus, runs):
    result = prometheus.query("cronsuite_job_last_success_timestamp_seconds")
    assert entries(result) == {("addition", "addition"), ("housekeeping", "housekeeping-stats")}
    for series in result:
        assert "instance" not in series["metric"], (
            "honor_labels should keep the Pushgateway's empty instance"
        )


def test_a_skipped_run_records_only_the_skip(prometheus, runs):
    assert entries(prometheus.query("cronsuite_job_last_skip_timestamp_seconds")) == {
        ("addition", "addition-overlap")
    }
    assert prometheus.query('cronsuite_job_last_run_status{entry="addition-overlap"}') == []


def test_an_entry_that_never_ran_pushed_nothing_but_kubernetes_knows_it(prometheus, runs):
    assert prometheus.query(f'{{__name__=~"cronsuite_.+", entry="{NEVER_RAN}"}}') == []
    assert prometheus.query(f'kube_cronjob_labels{{label_cronsuite_io_entry="{NEVER_RAN}"}}') != []
    # so none of the Pushgateway-based alerts can see it ...
    for name in ("CronsuiteJobFailed", "CronsuiteJobNotSucceeded"):
        assert NEVER_RAN not in {
            entry for _, entry in entries(prometheus.query(alert_expression(name)))
        }


def test_the_never_succeeded_alert_expression_returns_exactly_the_entry_that_never_ran(
    prometheus, runs
):
    # ... but the kube-state-metrics one does, and not the entries that ran (within their interval,
    # or failed within their grace) nor the suspended one
    result = prometheus.eventually(alert_expression("CronsuiteCronJobNotSucceeded"))
    assert entries(result) == {("housekeeping", NEVER_RAN)}
    (series,) = result
    assert series["metric"]["cronjob"] == f"cronsuite-{NEVER_RAN}"
    assert float(series["value"][1]) > 2 * DAY - 60, "it should count from the CronJob's creation"


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
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def test_prometheus_evaluates_every_rule_without_error(prometheus, runs):
    def evaluated_rules():
        groups = requests.get(f"{prometheus.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        return rules if rules and all(rule["health"] != "unknown" for rule in rules) else None

    rules = wait_until(
        evaluated_rules, timeout=30, interval=0.5, message="every rule to be evaluated once"
    )
    assert len(rules) == len(
        [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    )
    assert {(rule["name"], rule["health"], rule.get("lastError", "")) for rule in rules} == {
        (rule["name"], "ok", "") for rule in rules
    }
