"""The operator docs cover the whole contract they describe."""

import re

from tests.monitoring.conftest import ROOT

DOCS = ROOT / "docs"


def contract_metrics() -> set[str]:
    return set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "runtime.md").read_text()))


def test_metrics_md_documents_every_metric_of_the_runtime_contract():
    documented = set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "metrics.md").read_text()))
    assert contract_metrics(), "docs/runtime.md should list the metrics"
    assert contract_metrics() <= documented, f"missing from docs/metrics.md: {contract_metrics() - documented}"


def test_metrics_md_documents_no_metric_the_runtime_does_not_push():
    documented = set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "metrics.md").read_text()))
    assert documented <= contract_metrics(), f"not in docs/runtime.md: {documented - contract_metrics()}"


def test_logging_md_explains_every_log_field_and_shows_jq_and_logql():
    text = (DOCS / "logging.md").read_text()
    for field in ("ts", "level", "event", "message", "job", "entry", "run_id"):
        assert f"| `{field}` |" in text, f"it should explain the {field} field"
    assert "kubectl" in text and "jq" in text
    assert "```logql" in text
