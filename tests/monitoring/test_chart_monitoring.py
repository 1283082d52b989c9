"""The chart ships the rules and the dashboard unchanged, only when asked to."""

import json
import shutil
import subprocess

import pytest
import yaml

from tests.support.chart import CHART
from tests.support.processes import ROOT
from tests.support.prometheus import DASHBOARD, RULES, promtool

HELM = shutil.which("helm", path=f"{ROOT / '.tools' / 'bin'}") or shutil.which("helm")
MONITORING_VALUES = CHART / "ci" / "monitoring-values.yaml"

pytestmark = pytest.mark.skipif(
    HELM is None, reason="helm is not installed: run scripts/install-tools"
)


def render(*args: str) -> list[dict]:
    result = subprocess.run(
        [HELM, "template", "rel", str(CHART), "--namespace", "apps", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def only(documents: list[dict], kind: str, name_suffix: str = "") -> dict:
    (found,) = [
        d for d in documents if d["kind"] == kind and d["metadata"]["name"].endswith(name_suffix)
    ]
    return found


def test_neither_is_rendered_by_default():
    documents = render()
    assert not [d for d in documents if d["kind"] == "PrometheusRule"]
    assert not [
        d
        for d in documents
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-dashboard")
    ]


def test_the_prometheusrule_carries_the_rules_file_unchanged():
    rule = only(render("-f", str(MONITORING_VALUES)), "PrometheusRule")
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["spec"] == yaml.safe_load(RULES.read_text()), (
        "it should be the rules file, not a copy of it"
    )
    assert "{{ $labels.job }}" in json.dumps(rule), (
        "Helm should not have templated the alerts' annotations"
    )


def test_the_prometheusrule_points_runbook_urls_at_the_operators_runbook():
    base = "https://git.example.com/ops/cronsuite/-/blob/main/docs/runbook.md"
    rule = only(
        render("-f", str(MONITORING_VALUES), "--set", f"prometheusRule.runbookBaseUrl={base}"),
        "PrometheusRule",
    )
    original = yaml.safe_load(RULES.read_text())
    rendered = [r for group in rule["spec"]["groups"] for r in group["rules"]]
    expected = [r for group in original["groups"] for r in group["rules"]]
    assert [r["expr"] for r in rendered] == [r["expr"] for r in expected], (
        "only the runbook links should change"
    )
    for got, want in zip(rendered, expected):
        if "alert" in want:
            assert got["annotations"]["runbook_url"] == f"{base}#{want['alert'].lower()}"
            assert {k: v for k, v in got["annotations"].items() if k != "runbook_url"} == {
                k: v for k, v in want["annotations"].items() if k != "runbook_url"
            }


def test_with_an_admin_url_every_alert_about_an_entry_links_to_its_runs():
    admin = "https://cronsuite.example.com/admin/"
    rule = only(
        render("-f", str(MONITORING_VALUES), "--set", f"prometheusRule.adminUrl={admin}"),
        "PrometheusRule",
    )
    alerts = [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    about_an_entry = [a for a in alerts if "$labels.entry" in a["annotations"]["summary"]]
    assert len(about_an_entry) >= 8
    # It should link each of them to the entry's runs, in Alertmanager's template language ...
    for alert in about_an_entry:
        assert alert["annotations"]["admin_url"] == (
            "https://cronsuite.example.com/admin/runs/jobrun/?entry={{ $labels.entry }}"
        ), alert["alert"]
    # ... and leave the alerts about no entry (the Pushgateway, kube-state-metrics) without one.
    assert {a["alert"] for a in alerts if "admin_url" not in a["annotations"]} == {
        "CronsuitePushgatewayDown",
        "CronsuiteCronJobLabelsNotExported",
    }


def test_without_an_admin_url_no_alert_links_to_the_admin():
    rule = only(render("-f", str(MONITORING_VALUES)), "PrometheusRule")
    alerts = [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    assert [a["alert"] for a in alerts if "admin_url" in a["annotations"]] == []


def test_the_dashboards_runbook_links_follow_the_runbook_base_url():
    base = "https://git.example.com/ops/cronsuite/-/blob/main/docs/runbook.md"
    config_map = only(
        render(
            "--set",
            "grafanaDashboard.enabled=true",
            "--set",
            f"prometheusRule.runbookBaseUrl={base}",
        ),
        "ConfigMap",
        "-dashboard",
    )
    (content,) = config_map["data"].values()
    board = json.loads(content)
    # It should point the dashboard's link and the overview's description at the operators' copy.
    assert [link["url"] for link in board["links"] if link["title"] == "Runbook"] == [base]
    assert "github.com/cronsuite" not in content
    assert content.count(base) >= 2


def test_a_runbook_url_that_is_not_absolute_is_rejected():
    result = subprocess.run(
        [
            HELM,
            "template",
            "rel",
            str(CHART),
            "--set",
            "prometheusRule.enabled=true",
            "--set",
            "prometheusRule.runbookBaseUrl=docs/runbook.md",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "runbookBaseUrl" in result.stderr, result.stderr


def test_the_prometheusrule_has_the_labels_the_operator_selects_on():
    rule = only(render("-f", str(MONITORING_VALUES)), "PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert rule["metadata"]["labels"]["app.kubernetes.io/name"] == "cronsuite"
    assert rule["metadata"]["namespace"] == "apps"


def test_prometheus_accepts_the_rendered_rules(tmp_path):
    rule = only(render("-f", str(MONITORING_VALUES)), "PrometheusRule")
    unwrapped = tmp_path / "rendered.rules.yaml"
    unwrapped.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    result = promtool("check", "rules", str(unwrapped))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_configmap_is_labelled_for_the_grafana_sidecar():
    config_map = only(render("-f", str(MONITORING_VALUES)), "ConfigMap", "-dashboard")
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["annotations"] == {"grafana_folder": "Jobs"}
    assert config_map["metadata"]["namespace"] == "monitoring"
    (content,) = config_map["data"].values()
    assert content == DASHBOARD.read_text().rstrip("\n"), (
        "it should hold the generated JSON as it is"
    )


def test_the_dashboard_configmap_defaults_to_the_release_namespace():
    config_map = only(render("--set", "grafanaDashboard.enabled=true"), "ConfigMap", "-dashboard")
    assert config_map["metadata"]["namespace"] == "apps"
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"


def test_the_cronjob_alerts_fallback_deadline_is_the_charts_default_job_deadline():
    # An entry that never pushed gets the grace of the chart's default entry: its whole Job.
    rule = next(
        r
        for group in yaml.safe_load(RULES.read_text())["groups"]
        for r in group["rules"]
        if r.get("alert") == "CronsuiteCronJobNotSucceeded"
    )
    documents = render("--set", "jobs.probe.schedule=0 1 * * *")
    probe = only(documents, "CronJob", "-probe")
    deadline = probe["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]
    assert deadline == 14710
    assert f"{deadline} * max by (namespace, cronjob) (kube_cronjob_labels" in rule["expr"]
