"""The operator docs cover the whole contract they describe."""

import re

from tests.support.processes import ROOT

DOCS = ROOT / "docs"


def contract_metrics() -> set[str]:
    return set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "runtime.md").read_text()))


def job_metrics() -> set[str]:
    """Metrics a single job pushes besides the runtime's, documented on its page in docs/jobs/."""
    pages = sorted((DOCS / "jobs").glob("*.md"))
    return set(
        re.findall(
            r"^\| `(cronsuite_[a-z0-9_]+)` \|",
            "\n".join(p.read_text() for p in pages),
            re.MULTILINE,
        )
    )


def test_metrics_md_documents_every_metric_of_the_runtime_contract():
    documented = set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "metrics.md").read_text()))
    assert contract_metrics(), "docs/runtime.md should list the metrics"
    assert contract_metrics() <= documented, (
        f"missing from docs/metrics.md: {contract_metrics() - documented}"
    )


def test_metrics_md_documents_every_metric_a_job_pushes():
    documented = set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "metrics.md").read_text()))
    assert "cronsuite_health_check_up" in job_metrics(), (
        "docs/jobs/health-check.md should list its gauge"
    )
    assert job_metrics() <= documented, (
        f"missing from docs/metrics.md: {job_metrics() - documented}"
    )


def test_metrics_md_documents_no_metric_nothing_pushes():
    documented = set(re.findall(r"`(cronsuite_[a-z0-9_]+)`", (DOCS / "metrics.md").read_text()))
    pushed = contract_metrics() | job_metrics()
    assert documented <= pushed, f"not in docs/runtime.md nor docs/jobs/: {documented - pushed}"


def test_logging_md_explains_every_log_field_and_shows_jq_and_logql():
    text = (DOCS / "logging.md").read_text()
    for field in ("ts", "level", "event", "message", "job", "entry", "run_id"):
        assert f"| `{field}` |" in text, f"it should explain the {field} field"
    assert "kubectl" in text and "jq" in text
    assert "```logql" in text
