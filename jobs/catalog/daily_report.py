"""Emails a summary of the last 24 hours (Celery's `send_daily_reports`) to REPORT_RECIPIENTS
(default: ADMINS): every schedule entry's runs, successes and failures with their error summaries,
entries that did not run, and the latest statistics snapshot. Plain text plus an HTML part, from
the templates in app/templates/reports/.

Mail goes through Django's default mailer (MAILERS, built from EMAIL_* in app/settings.py). It
writes nothing to the database: a failed send leaves nothing to undo, and a re-run sends again.
"""

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from jobs.runtime.errors import ConfigurationError, JobFailed
from jobs.runtime.job import Job
from jobs.runtime.run import Run
from jobs.runtime.vocabulary import FAILURES

PERIOD = timedelta(hours=24)
# Every kind is reported, zero included (docs/runtime.md, "Counts").
KINDS = ("emails", "recipients")


@dataclass
class FailureGroup:
    """Failed runs of one entry with the same status, exit code and error, counted once."""

    status: str
    exit_code: int | None
    error: str
    count: int
    last: datetime


@dataclass
class EntrySummary:
    entry: str
    job: str
    runs: int
    succeeded: int
    failed: int
    skipped: int
    running: int
    failures: list[FailureGroup] = field(default_factory=list)


@dataclass
class Report:
    since: datetime
    until: datetime
    entries: list[EntrySummary]
    quiet: list[dict]  # entries that ran within LOG_RETENTION_DAYS but not in the period
    snapshot: StatisticsSnapshot | None

    @property
    def runs(self) -> int:
        return sum(entry.runs for entry in self.entries)

    @property
    def failures(self) -> int:
        return sum(entry.failed for entry in self.entries)


def summarize_entries(since: datetime, until: datetime) -> list[EntrySummary]:
    runs = JobRun.objects.filter(started_at__gte=since, started_at__lt=until).order_by()
    rows = runs.values("entry", "job").annotate(
        runs=Count("pk"),
        succeeded=Count("pk", filter=Q(status=JobRun.Status.SUCCEEDED)),
        failed=Count("pk", filter=Q(status__in=FAILURES)),
        skipped=Count("pk", filter=Q(status=JobRun.Status.SKIPPED)),
        running=Count("pk", filter=Q(status=JobRun.Status.RUNNING)),
    )
    entries = {(row["entry"], row["job"]): EntrySummary(**row) for row in rows}
    groups = (
        runs.filter(status__in=FAILURES)
        .values("entry", "job", "status", "exit_code", "error")
        .annotate(count=Count("pk"), last=Max("started_at"))
        .order_by("-last")
    )
    for group in groups:
        entries[group.pop("entry"), group.pop("job")].failures.append(FailureGroup(**group))
    return sorted(entries.values(), key=lambda entry: (-entry.failed, entry.entry))


def quiet_entries(since: datetime, now: datetime) -> list[dict]:
    recent = now - timedelta(days=settings.LOG_RETENTION_DAYS)
    return list(
        JobRun.objects.order_by()
        .values("entry", "job")
        .annotate(last=Max("started_at"))
        .filter(last__lt=since, last__gte=recent)
        .order_by("entry")
    )


def build_report(now: datetime) -> Report:
    since = now - PERIOD
    return Report(
        since=since,
        until=now,
        entries=summarize_entries(since, now),
        quiet=quiet_entries(since, now),
        snapshot=StatisticsSnapshot.objects.first(),
    )


def subject(report: Report) -> str:
    day = timezone.localtime(report.until).date().isoformat()
    if report.failures:
        return f"[cronsuite] Daily report {day}: {report.failures} failed run(s) of {report.runs}"
    return f"[cronsuite] Daily report {day}: no failures in {report.runs} run(s)"


def build_message(report: Report, recipients: list[str]) -> EmailMultiAlternatives:
    context = {"report": report}
    message = EmailMultiAlternatives(
        subject(report),
        render_to_string("reports/daily_report.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(render_to_string("reports/daily_report.html", context), "text/html")
    return message


def send(message: EmailMultiAlternatives, mailer) -> None:
    where = f"SMTP server {mailer.host}:{mailer.port}" if hasattr(mailer, "host") else "the mailer"
    try:
        mailer.send_messages([message])
    except smtplib.SMTPAuthenticationError as e:
        raise ConfigurationError(
            f"{where} rejected EMAIL_HOST_USER's credentials: {e.smtp_code} {e.smtp_error!r}"
        )
    except OSError as e:  # smtplib.SMTPException, refused connections and timeouts alike
        raise JobFailed(f"could not send the daily report through {where}: {e}")


class DailyReport(Job):
    name = "daily-report"
    help = (
        "Email REPORT_RECIPIENTS a summary of the last 24 hours of runs and the latest statistics."
    )

    def handle(self, run: Run) -> None:
        recipients = settings.REPORT_RECIPIENTS
        if not recipients:
            raise ConfigurationError(
                "no one to send the daily report to: set REPORT_RECIPIENTS or ADMINS "
                "(e.g. 'Ops <ops@example.com>, dev@example.com')"
            )
        for kind in KINDS:
            run.count(kind, 0)
        report = build_report(timezone.now())
        mailer = mailers.default
        if not hasattr(mailer, "host"):
            run.log.warning(
                "report.not_sent",
                "EMAIL_HOST is not set: the report is printed on stderr, not sent.",
            )
        send(build_message(report, recipients), mailer)
        run.count("emails")
        run.count("recipients", len(recipients))
        run.log.info(
            "report.sent",
            f"Sent the daily report to {len(recipients)} recipient(s).",
            recipients=recipients,
            subject=subject(report),
            runs=report.runs,
            failures=report.failures,
        )
