"""checkov on the chart and hadolint on the Dockerfile, with the real tools."""

import json
import os
import subprocess

from jobs.entries import from_values, load_values
from tests.support.chart import CHART, RELEASE, TOOLS_BIN, helm, tool
from tests.support.processes import ROOT

CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
WEB_VALUES = CHART / "ci" / "web-values.yaml"


def test_checkov_scans_the_chart_and_nothing_fails():
    assert CHECKOV.exists(), "checkov missing: run scripts/install-tools"
    # checkov renders the chart with helm from PATH, and exits 0 silently when helm is missing.
    env = {**os.environ, "PATH": f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(CHART),
            "--framework",
            "helm",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--config-file",
            str(CHART / ".checkov.yaml"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    (report,) = [r for r in reports if r.get("check_type") == "helm"]
    summary = report["summary"]
    failed = [(f["check_id"], f["resource"]) for f in report["results"]["failed_checks"]]
    assert failed == []
    assert summary["parsing_errors"] == 0
    # Really scanned: every CronJob, the hook Job and its copies, the test Pod, ConfigMap, Secret.
    assert summary["resource_count"] >= len(from_values(load_values())) + 6
    assert summary["passed"] > 100
    assert result.returncode == 0, result.stderr


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "warning", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_checkov_finds_nothing_with_the_web_app_its_ingress_and_role(tmp_path):
    # checkov's helm framework renders the defaults only: the Ingress, the Role and the web app's
    # mounted token are in ci/web-values.yaml, so its render is scanned as manifests.
    rendered = tmp_path / "web.yaml"
    rendered.write_text(helm("template", RELEASE, str(CHART), "-f", str(WEB_VALUES)).stdout)
    result = subprocess.run(
        [str(CHECKOV), "-f", str(rendered), "--framework", "kubernetes", "--skip-download"]
        + ["--compact", "-o", "json", "--config-file", str(CHART / ".checkov.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    report = json.loads(result.stdout)
    failed = [(f["check_id"], f["resource"]) for f in report["results"]["failed_checks"]]
    assert failed == []
    kinds = {r["resource"].split(".")[0] for r in report["results"]["passed_checks"]}
    assert {"Deployment", "Ingress", "Role", "RoleBinding"} <= kinds
    assert result.returncode == 0, result.stderr
