"""Checks the database, migrations and configured peers (Celery's `health_check`, the FastAPI scheduler's health job).

The same checks as `python -m jobs check` (jobs/runtime/checks.py), run as a recorded job every few
minutes: each check becomes a gauge `cronsuite_health_check_up{check}` on the Pushgateway, and the
run fails, naming the broken checks, when any check fails. A peer that is not configured is
skipped: it gets no gauge and does not fail the run.
"""

from jobs.runtime.checks import failed, run_checks
from jobs.runtime.errors import JobFailed
from jobs.runtime.job import Job
from jobs.runtime.run import Run

GAUGE = "cronsuite_health_check_up"
GAUGE_HELP = "1 if the check passed in the latest health-check run, 0 if it failed."
# Every kind is reported, zero included (docs/runtime.md, "Counts").
KINDS = ("checks_ok", "checks_failed", "checks_skipped")


def record(run: Run, results) -> None:
    for result in results:
        level = run.log.error if result.status == "failed" else run.log.info
        level(
            "health.check",
            f"{result.name}: {result.status}, {result.detail}.",
            check=result.name,
            status=result.status,
            detail=result.detail,
        )
        run.count(f"checks_{result.status}")
        if result.status != "skipped":
            run.gauge(GAUGE, GAUGE_HELP, 1 if result.status == "ok" else 0, {"check": result.name})


class HealthCheck(Job):
    name = "health-check"
    help = "Check the database, migrations, the Pushgateway and the app; push one gauge per check."

    def handle(self, run: Run) -> None:
        for kind in KINDS:
            run.count(kind, 0)
        results = run_checks()
        record(run, results)
        if broken := failed(results):
            summary = "; ".join(f"{result.name}: {result.detail}" for result in broken)
            raise JobFailed(f"health check failed: {summary}")
