"""values.schema.json rejects what Kubernetes would reject later, naming the field."""

import pytest

from tests.chart.conftest import CHART, helm

REJECTIONS = {
    # A seconds field: APScheduler and Quartz have one, Kubernetes does not.
    "six-field cron": (["jobs.housekeeping.schedule=0 0 2 * * *"], "/jobs/housekeeping/schedule"),
    "TZ= prefix": (["jobs.housekeeping.schedule=TZ=Europe/Berlin 0 2 * * *"], "/jobs/housekeeping/schedule"),
    "CRON_TZ= prefix": (["jobs.housekeeping.schedule=CRON_TZ=UTC 0 2 * * *"], "/jobs/housekeeping/schedule"),
    "unknown concurrencyPolicy": (["jobs.housekeeping.concurrencyPolicy=Never"], "/jobs/housekeeping/concurrencyPolicy"),
    "unknown default concurrencyPolicy": (["defaults.concurrencyPolicy=forbid"], "/defaults/concurrencyPolicy"),
    "startingDeadlineSeconds below 10": (["jobs.housekeeping.startingDeadlineSeconds=5"], "/jobs/housekeeping/startingDeadlineSeconds"),
    "entry name with capitals": (["jobs.Nightly_Report.schedule=@daily"], "Nightly_Report"),
    "entry name ending in a dash": (["jobs.nightly-.schedule=@daily"], "nightly-"),
    "unknown entry key": (["jobs.housekeeping.scedule=@daily"], "scedule"),
    "unknown top-level key": (["suspendALL=true"], "suspendALL"),
    "entry without schedule": (["jobs.nightly.job=housekeeping"], "/jobs/nightly"),
}


@pytest.mark.parametrize("sets,field", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_it_rejects(sets, field):
    args = ["template", "cronsuite", str(CHART)]
    for item in sets:
        args += ["--set", item]
    result = helm(*args, check=False)
    assert result.returncode != 0
    assert "schema" in result.stderr
    assert field in result.stderr


def test_it_names_both_the_path_and_the_bad_entry_name():
    result = helm("template", "cronsuite", str(CHART), "--set", "jobs.Bad.schedule=@daily", check=False)
    assert "at '/jobs': additional properties 'Bad' not allowed" in result.stderr
    assert "'Bad' does not match pattern" in result.stderr


@pytest.mark.parametrize("schedule", ["@daily", "*/15 9-17 * * MON-FRI", "0 0 1,15 * *", "0 3 ? * SUN"])
def test_it_accepts_what_kubernetes_accepts(schedule, tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(f"jobs:\n  housekeeping:\n    schedule: {schedule!r}\n")
    helm("template", "cronsuite", str(CHART), "-f", str(values))


def test_every_property_has_a_description():
    import json

    schema = json.loads((CHART / "values.schema.json").read_text())
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, child in (node.get("properties") or {}).items():
                if "$ref" not in child and "description" not in child:
                    missing.append(f"{path}.{key}")
                walk(child, f"{path}.{key}")
            for key, child in (node.get("definitions") or {}).items():
                if "description" not in child:
                    missing.append(f"definitions.{key}")
                walk(child, f"definitions.{key}")

    walk(schema, "")
    assert missing == []


def test_every_values_key_has_a_comment_above_it():
    lines = (CHART / "values.yaml").read_text().splitlines()
    undocumented = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and ":" in stripped and not stripped.startswith("-"):
            if not lines[i - 1].strip().startswith("#"):
                undocumented.append(f"{i + 1}: {line}")
    assert undocumented == []
