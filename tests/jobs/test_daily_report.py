"""daily-report (Celery's `send_daily_reports`): what the report says, computed against the real
database, and what arrives at a real SMTP server on loopback when `python -m jobs run daily-report`
runs as a container would."""

from datetime import timedelta

import pytest

from app.chat.models import StatisticsSnapshot
from jobs.catalog import daily_report
from jobs.models import JobRun
from tests.support.mail import Inbox, running_smtp_server
from tests.support.processes import free_port, run_job
from tests.support.runs import NOW, make_run

HOUR = timedelta(hours=1)


def make_snapshot(**numbers):
    fields = {
        "total_users": 12,
        "total_conversations": 34,
        "total_messages": 567,
        "messages_last_24h": 89,
    }
    return StatisticsSnapshot.objects.create(created_at=NOW - HOUR, **(fields | numbers))


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def yesterday(db):
    """A day of runs: housekeeping mostly fine, sync failing twice the same way, once otherwise."""
    make_run("housekeeping", 2 * HOUR, "succeeded")
    make_run("housekeeping", 3 * HOUR, "succeeded")
    make_run("housekeeping", 3 * HOUR, "skipped")
    make_run("sync-timetable", 1 * HOUR, "failed", error="upstream answered 503")
    make_run("sync-timetable", 5 * HOUR, "failed", error="upstream answered 503")
    make_run(
        "sync-timetable", 6 * HOUR, "timed_out", error="deadline of 300 s exceeded", exit_code=124
    )
    make_run("sync-timetable", 7 * HOUR, "succeeded")


@pytest.mark.django_db
def test_it_counts_each_entrys_runs_and_groups_identical_failures(yesterday):
    entries = daily_report.summarize_entries(NOW - 24 * HOUR, NOW)

    # It should list the entry with failures first.
    assert [e.entry for e in entries] == ["sync-timetable", "housekeeping"]
    sync, housekeeping = entries
    assert (sync.runs, sync.succeeded, sync.failed, sync.skipped) == (4, 1, 3, 0)
    assert (
        housekeeping.runs,
        housekeeping.succeeded,
        housekeeping.failed,
        housekeeping.skipped,
    ) == (3, 2, 0, 1)
    # It should count an error that repeats once, with its latest time, newest group first.
    assert [(f.status, f.exit_code, f.error, f.count) for f in sync.failures] == [
        ("failed", 1, "upstream answered 503", 2),
        ("timed_out", 124, "deadline of 300 s exceeded", 1),
    ]
    assert sync.failures[0].last == NOW - HOUR


@pytest.mark.django_db
def test_it_covers_exactly_the_last_24_hours():
    make_run("edge", 24 * HOUR, "succeeded")
    make_run("edge", 24 * HOUR + timedelta(microseconds=1), "failed", error="too old")

    (entry,) = daily_report.summarize_entries(NOW - 24 * HOUR, NOW)

    # It should include a run started exactly 24 hours ago, and nothing before it.
    assert (entry.runs, entry.failed) == (1, 0)


@pytest.mark.django_db
def test_it_names_entries_that_ran_before_but_not_in_the_period(settings):
    settings.LOG_RETENTION_DAYS = 30
    make_run("weekly", 3 * 24 * HOUR, "succeeded")
    make_run("long-gone", 31 * 24 * HOUR, "succeeded")
    make_run("daily", 2 * HOUR, "succeeded")

    report = daily_report.build_report(NOW)

    # It should show a silent entry with its last run, but not one beyond the retention.
    assert [(q["entry"], q["last"]) for q in report.quiet] == [("weekly", NOW - 3 * 24 * HOUR)]


@pytest.mark.django_db
def test_it_renders_a_text_and_an_html_part(yesterday):
    make_snapshot()
    message = daily_report.build_message(daily_report.build_report(NOW), ["ops@example.com"])

    text = message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.subject.endswith("3 failed run(s) of 7")
    assert "sync-timetable: 4 run(s), 1 succeeded, 3 failed, 0 skipped" in text
    assert "2x failed (exit 1)" in text and "upstream answered 503" in text
    assert "messages: 567" in text and "users: 12" in text
    assert "<td>sync-timetable</td>" in html and "<code>upstream answered 503</code>" in html


@pytest.mark.django_db
def test_it_escapes_errors_in_html_but_not_in_text():
    make_run("web", HOUR, "failed", error="expected <html> & got 'text'")

    message = daily_report.build_message(daily_report.build_report(NOW), ["ops@example.com"])

    assert "expected <html> & got 'text'" in message.body
    assert "expected &lt;html&gt; &amp; got &#x27;text&#x27;" in message.alternatives[0][0]


@pytest.mark.django_db
def test_it_says_so_when_nothing_ran_and_no_snapshot_exists():
    message = daily_report.build_message(daily_report.build_report(NOW), ["ops@example.com"])

    assert message.subject.endswith("no failures in 0 run(s)")
    assert "No job ran in the last 24 hours." in message.body
    assert "No statistics snapshot yet" in message.body


# The real entrypoint against a real SMTP server.

real_entrypoint = pytest.mark.django_db(transaction=True)


@real_entrypoint
def test_it_emails_the_report_to_the_recipients(smtp_server):
    make_run("sync-timetable", HOUR, "failed", error="upstream answered 503")
    make_run("housekeeping", 2 * HOUR, "succeeded")
    make_snapshot(total_messages=4242)

    result = run_job(
        "run",
        "daily-report",
        REPORT_RECIPIENTS="Ops Team <ops@example.com>, dev@example.com",
        DEFAULT_FROM_EMAIL="cronsuite@example.com",
        **smtp_server.environment(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    (mail,) = smtp_server.received
    # It should send one message to every recipient, from DEFAULT_FROM_EMAIL.
    assert sorted(mail.recipients) == ["dev@example.com", "ops@example.com"]
    assert mail.sender == "cronsuite@example.com"
    assert mail.message["To"] == "Ops Team <ops@example.com>, dev@example.com"
    assert mail.message["Subject"].startswith("[cronsuite] Daily report ")
    assert mail.message["Subject"].endswith(": 1 failed run(s) of 3")  # its own run is the 3rd
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert "sync-timetable: 1 run(s), 0 succeeded, 1 failed" in text
    assert "1x failed (exit 1)" in text and "upstream answered 503" in text
    assert "messages: 4242" in text
    assert "<td>housekeeping</td>" in html and "<td>4242</td>" in html
    assert result.summary["counts"] == {"emails": 1, "recipients": 2}


@real_entrypoint
def test_it_sends_to_admins_when_no_recipients_are_set(smtp_server):
    result = run_job(
        "run", "daily-report", ADMINS='"Doe, Jane" <jane@example.com>', **smtp_server.environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    (mail,) = smtp_server.received
    assert mail.recipients == ["jane@example.com"]
    assert mail.message["To"].addresses[0].display_name == "Doe, Jane"


@real_entrypoint
def test_it_exits_2_without_recipients_and_sends_nothing(smtp_server):
    result = run_job(
        "run", "daily-report", REPORT_RECIPIENTS="", ADMINS="", **smtp_server.environment()
    )

    assert result.returncode == 2
    assert "set REPORT_RECIPIENTS or ADMINS" in result.summary["error"]
    assert smtp_server.received == []
    run = JobRun.objects.get(job="daily-report")
    assert (run.status, run.exit_code) == ("failed", 2)
    assert "set REPORT_RECIPIENTS or ADMINS" in run.error


@real_entrypoint
def test_it_exits_2_naming_the_variable_when_an_address_is_not_one():
    result = run_job("run", "daily-report", REPORT_RECIPIENTS="ops team")

    assert result.returncode == 2
    assert "REPORT_RECIPIENTS must be email addresses" in result.stderr
    # It should stop before anything runs: no JobRun row.
    assert not JobRun.objects.exists()


@real_entrypoint
def test_it_exits_1_with_a_clear_message_when_the_smtp_server_is_down():
    closed_port = free_port()

    result = run_job(
        "run",
        "daily-report",
        REPORT_RECIPIENTS="ops@example.com",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port,
        EMAIL_TIMEOUT=5,
    )

    assert result.returncode == 1
    expected = f"could not send the daily report through SMTP server 127.0.0.1:{closed_port}"
    assert result.summary["error"].startswith(expected)
    assert "Connection refused" in result.summary["error"]
    run = JobRun.objects.get(job="daily-report")
    assert (run.status, run.exit_code) == ("failed", 1) and run.error.startswith(expected)
    # It should say that nothing was sent, in the same kinds as a run that sent the report.
    assert run.counts == {"emails": 0, "recipients": 0}


@real_entrypoint
def test_it_exits_2_when_the_smtp_server_rejects_the_credentials_and_never_logs_the_password(
    tmp_path,
):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    password = "correct-horse-battery"
    (tmp_path / "password").write_text(password + "\n")
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        auth_require_tls=False,
        authenticator=lambda *args: AuthResult(success=False, handled=False),
    )
    controller.start()
    try:
        result = run_job(
            "run",
            "daily-report",
            REPORT_RECIPIENTS="ops@example.com",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_HOST_USER="cronsuite",
            EMAIL_HOST_PASSWORD_FILE=tmp_path / "password",
        )
    finally:
        controller.stop()

    assert result.returncode == 2
    assert "rejected EMAIL_HOST_USER's credentials: 535" in result.summary["error"]
    assert inbox.received == []
    # It should never write the password anywhere.
    assert password not in result.stdout + result.stderr
    assert password not in JobRun.objects.get(job="daily-report").error
