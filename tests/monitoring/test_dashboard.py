"""The Grafana dashboard: generated, current, and asking Prometheus only valid questions.

No Grafana server runs here, so the JSON is checked structurally and every query is compiled
by promtool (here) and run against a real Prometheus (test_end_to_end.py)."""

import json
import re

import pytest
import yaml

from monitoring import dashboard
from tests.support.processes import ROOT
from tests.support.prometheus import DASHBOARD, as_prometheus_query, promtool

BOARD = json.loads(DASHBOARD.read_text())
QUERIES = list(dashboard.queries(BOARD))


def contract_metrics() -> set[str]:
    """Metric names the runtime contract (docs/runtime.md) promises, plus the Pushgateway's."""
    names = set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (ROOT / "docs" / "runtime.md").read_text()))
    return names | {"push_time_seconds", "push_failure_time_seconds", "up", "ALERTS"}


def test_the_committed_json_is_the_generators_output():
    assert DASHBOARD.read_text() == dashboard.render(), (
        "run `python -m monitoring.dashboard` and commit the JSON"
    )


def test_it_says_it_is_generated():
    assert "Do not change in-place" in BOARD["description"]
    assert "monitoring/dashboard.py" in BOARD["description"]


def test_it_offers_a_job_variable_with_all():
    (job,) = [v for v in BOARD["templating"]["list"] if v["name"] == "job"]
    assert job["multi"] is True and job["includeAll"] is True


def test_it_has_the_panels_operators_asked_for():
    titles = {panel["title"] for panel in BOARD["panels"]}
    assert titles == {
        "Schedule entries",
        "Run durations",
        "Failed runs",
        "Items processed",
        "Application statistics",
        "Start lag",
        "Pushgateway",
    }


def test_the_overview_has_a_column_per_question():
    (table,) = [panel for panel in BOARD["panels"] if panel["type"] == "table"]
    (organize,) = [t for t in table["transformations"] if t["id"] == "organize"]
    columns = set(organize["options"]["renameByName"].values())
    assert columns == {
        "Last success (age)",
        "Last outcome",
        "Last duration",
        "Next expected run",
        "Firing alerts",
        "Failing",
        "Success overdue",
        "Last failure",
        "Last exit code",
    }


def test_the_overview_puts_failing_entries_first():
    (table,) = [panel for panel in BOARD["panels"] if panel["type"] == "table"]
    assert table["options"]["sortBy"] == [{"displayName": "Failing", "desc": True}]


def test_every_panel_has_a_unique_id_and_uses_the_datasource_variable():
    ids = [panel["id"] for panel in BOARD["panels"]]
    assert len(ids) == len(set(ids))
    for panel in BOARD["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", (
            f"{panel['title']} should follow the data source picker"
        )


@pytest.mark.parametrize("title, ref, expr", QUERIES, ids=[f"{t}-{r}" for t, r, _ in QUERIES])
def test_every_query_reads_only_contract_metrics(title, ref, expr):
    names = set(re.findall(r"\b(cronsuite_[a-z0-9_]+|push_[a-z_]+|ALERTS|up)\b", expr))
    assert names, "it should read at least one known metric"
    assert names <= contract_metrics(), (
        f"it should read only metrics of docs/runtime.md, not {names - contract_metrics()}"
    )


def test_promtool_compiles_every_query(tmp_path):
    # promtool has no "check expression": a recording rule per query is the documented way.
    rules = [
        {"record": f"dashboard:query:{n}", "expr": as_prometheus_query(expr)}
        for n, (_, _, expr) in enumerate(QUERIES)
    ]
    path = tmp_path / "queries.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_mode_fails_when_the_file_is_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "dashboard.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(dashboard, "OUTPUT", stale)
    assert dashboard.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert dashboard.main([]) == 0
    assert dashboard.main(["--check"]) == 0
