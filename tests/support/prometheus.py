"""Real monitoring peers for the observability tests: promtool and a Prometheus that scrapes a
Pushgateway and evaluates the chart's rules file, as a cluster's Prometheus would."""

import subprocess
import textwrap
from pathlib import Path

import requests

from tests.support.chart import CHART
from tests.support.processes import ROOT, free_port, wait_until

RULES = CHART / "files" / "cronsuite.rules.yaml"


DASHBOARD = CHART / "files" / "cronsuite-dashboard.json"


RUNBOOK = ROOT / "docs" / "runbook.md"


PROMTOOL = "/usr/bin/promtool"


PROMETHEUS = "/usr/bin/prometheus"


# What Grafana substitutes before sending a dashboard query; `.*` is the job variable's "All".
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$job": ".*"}


def promtool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PROMTOOL, *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def as_prometheus_query(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


class Prometheus:
    """A Prometheus scraping one Pushgateway every second and evaluating RULES every second."""

    def __init__(self, directory: Path, pushgateway_url: str):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = directory / "prometheus.log"
        config = directory / "prometheus.yml"
        config.write_text(self._config(pushgateway_url))
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={directory / 'data'}",
                    f"--web.listen-address={self.url.removeprefix('http://')}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._ready, timeout=30, message=f"Prometheus to start (log: {self.log})")

    @staticmethod
    def _config(pushgateway_url: str) -> str:
        # honor_labels keeps the job/entry labels the runs pushed instead of the scrape's own.
        return textwrap.dedent(
            f"""\
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {RULES}
            scrape_configs:
              - job_name: pushgateway
                honor_labels: true
                static_configs:
                  - targets: ["{pushgateway_url.removeprefix("http://")}"]
            """
        )

    def _ready(self) -> bool:
        assert self.process.poll() is None, f"Prometheus exited: {self.log.read_text()}"
        try:
            return requests.get(f"{self.url}/-/ready", timeout=1).ok
        except requests.ConnectionError:
            return False

    def query(self, expr: str) -> list[dict]:
        """The instant vector an expression returns now: [{"metric": {...}, "value": [t, "v"]}]."""
        response = requests.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = response.json()
        assert body["status"] == "success", f"{expr}: {body.get('error')}"
        return body["data"]["result"]

    def eventually(self, expr: str, condition=bool, timeout: float = 60) -> list[dict]:
        """Poll until the query's result satisfies condition (default: not empty)."""
        latest = []

        def satisfied():
            latest[:] = self.query(expr)
            return condition(latest)

        try:
            wait_until(satisfied, timeout=timeout, interval=0.5, message=expr)
        except AssertionError as e:
            raise AssertionError(f"{e}; last result: {latest}") from None
        return latest

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
