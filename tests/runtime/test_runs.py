"""`python -m jobs run` as Kubernetes runs it: exit codes, JobRun rows, logs, deadline, SIGTERM,
overlap. Every test runs the real entrypoint in a subprocess against the test database."""

import json
import signal
import socket

import pytest

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from tests.support.processes import (
    finish,
    free_port,
    run_job,
    start_job,
    terminate,
    wait_for_line,
)

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]


def test_a_successful_run_exits_0_and_is_recorded():
    result = run_job("run", "addition", "--x", "10", "--y", "20")

    assert result.returncode == 0
    run = JobRun.objects.get()
    assert (run.job, run.entry, run.status, run.exit_code) == (
        "addition",
        "addition",
        "succeeded",
        0,
    )
    assert run.trigger == "local" and run.arguments == {"x": 10, "y": 20}
    assert run.counts == {"additions": 1} and run.finished_at >= run.started_at
    # It should end with one summary line carrying what an operator needs.
    summary = result.summary
    assert summary["status"] == "succeeded" and summary["counts"] == {"additions": 1}
    assert summary["run_id"] == run.pk and summary["duration_seconds"] >= 0


def test_a_failed_job_exits_1_with_its_error_recorded():
    result = run_job("run", "fail", "--message", "upstream said no")

    assert result.returncode == 1
    run = JobRun.objects.get()
    assert (run.status, run.exit_code, run.error) == ("failed", 1, "upstream said no")
    assert run.counts == {"attempts": 1}
    assert result.summary["error"] == "upstream said no"


def test_an_unexpected_exception_exits_1_and_logs_the_traceback():
    result = run_job("run", "fail", "--crash", "--message", "division")

    assert result.returncode == 1
    assert JobRun.objects.get().error == "ZeroDivisionError: division"
    (error,) = result.events("run.error")
    assert "Traceback" in error["traceback"]


def test_a_configuration_error_inside_the_job_exits_2():
    result = run_job("run", "fail", "--configuration", "--message", "TOKEN is not set")

    assert result.returncode == 2
    run = JobRun.objects.get()
    assert (run.status, run.exit_code) == ("failed", 2)


def test_a_run_past_its_deadline_exits_124_and_rolls_back():
    result = run_job("run", "sleep", "--seconds", "60", "--in-transaction", "--timeout", "1")

    assert result.returncode == 124
    run = JobRun.objects.get()
    assert (run.status, run.exit_code) == ("timed_out", 124)
    assert run.error == "deadline of 1 s exceeded"
    # It should roll back the transaction the job had open.
    assert not StatisticsSnapshot.objects.exists()


def test_sigterm_exits_143_within_5_seconds_and_records_the_interruption():
    process = start_job("run", "sleep", "--seconds", "60", "--in-transaction")
    seen = wait_for_line(process, "sleep.started")

    result, seconds = terminate(process, seen)

    assert result.returncode == 143
    assert seconds < 5
    run = JobRun.objects.get()
    assert (run.status, run.exit_code) == ("interrupted", 143)
    assert not StatisticsSnapshot.objects.exists()
    assert result.summary["status"] == "interrupted"


def test_a_second_run_of_the_same_job_is_skipped_with_exit_0():
    first = start_job("run", "sleep", "--seconds", "60")
    seen = wait_for_line(first, "sleep.started")

    second = run_job("run", "sleep", "--seconds", "0")

    assert second.returncode == 0
    assert second.summary["status"] == "skipped"
    # It should touch nothing but its own record: the first run is still running.
    assert list(JobRun.objects.order_by("started_at").values_list("status", flat=True)) == [
        "running",
        "skipped",
    ]
    terminate(first, seen)


def test_other_jobs_are_not_blocked_by_a_running_job():
    first = start_job("run", "sleep", "--seconds", "60")
    seen = wait_for_line(first, "sleep.started")

    other = run_job("run", "addition")

    assert other.returncode == 0 and other.summary["status"] == "succeeded"
    terminate(first, seen)


def test_a_killed_run_does_not_block_the_next_one_which_marks_it_abandoned():
    crashed = start_job("run", "sleep", "--seconds", "60")
    seen = wait_for_line(crashed, "sleep.started")
    crashed.send_signal(signal.SIGKILL)
    finish(crashed, seen)

    result = run_job("run", "sleep", "--seconds", "0")

    assert result.returncode == 0 and result.summary["status"] == "succeeded"
    # It should not leave the killed run "running" forever in the history.
    killed = JobRun.objects.order_by("started_at").first()
    assert killed.status == "interrupted" and "without recording its end" in killed.error


def test_sigterm_during_a_hanging_start_push_still_records_within_5_seconds():
    # A Pushgateway that accepts connections and never answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        process = start_job("run", "sleep", "--seconds", "60", PUSHGATEWAY_URL=url)
        seen = wait_for_line(process, "run.started")

        result, seconds = terminate(process, seen)

    assert result.returncode == 143 and seconds < 5
    assert JobRun.objects.get().status == "interrupted"
    assert result.summary["status"] == "interrupted"


@pytest.mark.parametrize(
    "setting, secret",
    [
        ("SECRET_KEY", "hunter2-very-secret"),
        ("TOKEN", "tok-3f9a1c2e"),
        ("EMAIL_HOST_PASSWORD", "smtp-pa55word"),
        # JSON escapes quotes and backslashes: masking must happen before that.
        ("TOKEN", 'we"ird\\pass\tword'),
    ],
)
def test_secret_values_never_reach_logs_or_records(setting, secret):
    result = run_job(
        "run", "fail", "--message", f"login with {secret} refused", **{setting: secret}
    )

    assert secret not in result.stdout + result.stderr
    assert json_escaped(secret) not in result.stdout
    assert "login with *** refused" in result.summary["error"]
    assert secret not in JobRun.objects.get().error


def json_escaped(text: str) -> str:
    return json.dumps(text)[1:-1]


def test_log_file_receives_the_same_lines(tmp_path):
    log_file = tmp_path / "periodic_tasks.log"
    result = run_job("run", "addition", "--log-file", str(log_file))

    assert log_file.read_text().splitlines() == result.stdout.splitlines()


def test_text_format_is_readable():
    result = run_job("run", "addition", "--x", "2", "--y", "3", LOG_FORMAT="text")

    assert " INFO    2 + 3 = 5  x=2 y=3 result=5\n" in result.stdout
    assert " INFO    addition succeeded in " in result.stdout


def test_verbose_adds_debug_lines(clean_pushgateway):
    quiet = run_job("run", "addition", PUSHGATEWAY_URL=clean_pushgateway.url)
    verbose = run_job("run", "addition", "--verbose", PUSHGATEWAY_URL=clean_pushgateway.url)

    assert all(line["level"] != "debug" for line in quiet.lines)
    assert [line["event"] for line in verbose.lines if line["level"] == "debug"] == [
        "metrics.pushed",
        "metrics.pushed",
    ]


def test_an_unwritable_log_file_is_a_configuration_error(tmp_path):
    result = run_job("run", "addition", "--log-file", str(tmp_path / "missing" / "job.log"))

    assert result.returncode == 2
    assert "--log-file" in result.stderr and "No such file or directory" in result.stderr
    assert not JobRun.objects.exists()


def test_an_unreachable_database_fails_with_exit_1_and_still_pushes(clean_pushgateway):
    gw = clean_pushgateway
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"

    result = run_job("run", "addition", DATABASE_URL=unreachable, PUSHGATEWAY_URL=gw.url)

    assert result.returncode == 1
    assert "could not be started or recorded" in result.events("run.error")[0]["message"]
    # It should still tell Prometheus, or nobody would see the database is gone.
    failed = gw.value("cronsuite_job_last_run_status", job="addition", status="failed")
    assert failed == 1
