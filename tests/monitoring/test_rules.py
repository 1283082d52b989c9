"""The alert rules file: valid for Prometheus, unit-tested with promtool, documented."""

import re
from pathlib import Path

import pytest
import yaml

from tests.support.prometheus import RULES, RUNBOOK, promtool

UNIT_TESTS = sorted((Path(__file__).parent / "rules").glob("*.test.yaml"))
RUNBOOK_BASE = "https://github.com/cronsuite/cronsuite/blob/main/docs/runbook.md#"


def alerts() -> list[dict]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def github_anchors(markdown: str) -> set[str]:
    """Anchors GitHub derives from headings: lower case, punctuation dropped, spaces to dashes."""
    headings = re.findall(r"^#+\s+(.+)$", markdown, flags=re.MULTILINE)
    return {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings
    }


def alert_cases() -> dict[str, dict[str, int]]:
    """Per alert name, how many promtool cases expect it to fire and to stay quiet."""
    cases: dict[str, dict[str, int]] = {}
    for path in UNIT_TESTS:
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                seen = cases.setdefault(case["alertname"], {"fires": 0, "quiet": 0})
                seen["fires" if case.get("exp_alerts") else "quiet"] += 1
    return cases


def test_prometheus_accepts_the_rules_file():
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, (
        "it should be a valid rules file:\n" + result.stdout + result.stderr
    )


@pytest.mark.parametrize("unit_test", UNIT_TESTS, ids=lambda path: path.name)
def test_promtool_unit_tests_pass(unit_test):
    result = promtool("test", "rules", str(unit_test))
    assert result.returncode == 0, (
        "the alerts should behave as the unit tests say:\n" + result.stdout + result.stderr
    )


@pytest.mark.parametrize("alert", alerts(), ids=lambda rule: rule["alert"])
def test_every_alert_is_unit_tested_both_ways(alert):
    seen = alert_cases().get(alert["alert"], {"fires": 0, "quiet": 0})
    assert seen["fires"] > 0, "it should have a promtool case where it fires"
    assert seen["quiet"] > 0, "it should have a promtool case where it stays quiet or resolves"


@pytest.mark.parametrize("alert", alerts(), ids=lambda rule: rule["alert"])
def test_every_alert_says_what_broke_and_where_to_look(alert):
    assert alert["labels"]["severity"] in {"critical", "warning", "info"}, (
        "it should carry a known severity"
    )
    annotations = alert["annotations"]
    assert {"summary", "description", "runbook_url"} <= annotations.keys()
    if alert["alert"] not in {"CronsuitePushgatewayDown", "CronsuiteCronJobLabelsNotExported"}:
        assert "$labels.entry" in annotations["description"], "it should name the schedule entry"
        assert "$labels.job" in annotations["description"], "it should name the job"


@pytest.mark.parametrize("alert", alerts(), ids=lambda rule: rule["alert"])
def test_every_runbook_url_points_at_a_runbook_section(alert):
    url = alert["annotations"]["runbook_url"]
    assert url.startswith(RUNBOOK_BASE), "it should point into docs/runbook.md"
    anchor = url.removeprefix(RUNBOOK_BASE)
    assert anchor == alert["alert"].lower(), "the section should be named after the alert"
    assert anchor in github_anchors(RUNBOOK.read_text()), (
        f"docs/runbook.md should have a '{alert['alert']}' section"
    )
