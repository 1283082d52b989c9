"""What a run leaves in a real Pushgateway: exactly the contract of docs/runtime.md."""

import pytest

from tests.support.processes import free_port, run_job

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

GROUP = {"job": "addition", "entry": "addition"}
STATUS = "cronsuite_job_last_run_status"


def status_of(gateway, **group) -> dict[str, float]:
    return {
        s.labels["status"]: s.value
        for s in gateway.samples(STATUS)
        if group.items() <= s.labels.items()
    }


def test_a_success_pushes_its_outcome_and_last_success(clean_pushgateway):
    gw = clean_pushgateway
    result = run_job("run", "addition", "--x", "1", PUSHGATEWAY_URL=gw.url)

    assert result.returncode == 0
    start = gw.value("cronsuite_job_last_run_start_timestamp_seconds", **GROUP)
    end = gw.value("cronsuite_job_last_run_end_timestamp_seconds", **GROUP)
    assert 0 < start <= end
    assert gw.value("cronsuite_job_last_success_timestamp_seconds", **GROUP) == end
    assert gw.value("cronsuite_job_last_run_duration_seconds", **GROUP) == pytest.approx(
        end - start
    )
    assert gw.value("cronsuite_job_last_run_exit_code", **GROUP) == 0
    assert gw.value("cronsuite_job_last_run_items", kind="additions", **GROUP) == 1
    assert gw.value("cronsuite_job_last_run_trigger", trigger="local", **GROUP) == 1
    assert gw.value("cronsuite_job_deadline_seconds", **GROUP) == 3600
    assert status_of(gw, **GROUP) == {
        "running": 0,
        "succeeded": 1,
        "failed": 0,
        "timed_out": 0,
        "interrupted": 0,
    }
    # It should not invent a failure that never happened.
    assert gw.value("cronsuite_job_last_failure_timestamp_seconds", **GROUP) is None


def test_a_failure_pushes_its_outcome_and_no_success(clean_pushgateway):
    gw = clean_pushgateway
    result = run_job("run", "fail", PUSHGATEWAY_URL=gw.url)

    assert result.returncode == 1
    group = {"job": "fail", "entry": "fail"}
    assert status_of(gw, **group)["failed"] == 1
    assert gw.value("cronsuite_job_last_run_exit_code", **group) == 1
    assert gw.value("cronsuite_job_last_failure_timestamp_seconds", **group) > 0
    assert gw.value("cronsuite_job_last_success_timestamp_seconds", **group) is None


def test_a_failure_after_a_success_keeps_the_last_success(clean_pushgateway):
    gw = clean_pushgateway
    group = {"job": "sleep", "entry": "sleep"}
    run_job("run", "sleep", "--seconds", "0", PUSHGATEWAY_URL=gw.url)
    success = gw.value("cronsuite_job_last_success_timestamp_seconds", **group)

    timed_out = run_job("run", "sleep", "--seconds", "30", "--timeout", "1", PUSHGATEWAY_URL=gw.url)

    assert timed_out.returncode == 124
    # It should keep the earlier success: pushes use POST, and only successes push this gauge.
    assert gw.value("cronsuite_job_last_success_timestamp_seconds", **group) == success
    assert gw.value("cronsuite_job_last_failure_timestamp_seconds", **group) > success
    assert status_of(gw, **group)["timed_out"] == 1
    assert status_of(gw, **group)["succeeded"] == 0


def test_each_entry_of_a_job_has_its_own_group(clean_pushgateway):
    gw = clean_pushgateway
    run_job(
        "run",
        "addition",
        PUSHGATEWAY_URL=gw.url,
        CRONSUITE_ENTRY="example",
        CRONSUITE_NAMESPACE="prod",
    )

    labels = {"job": "addition", "entry": "example", "namespace": "prod"}
    assert gw.value("cronsuite_job_last_success_timestamp_seconds", **labels) > 0
    assert gw.value("cronsuite_job_last_success_timestamp_seconds", entry="addition") is None


def test_a_schedule_pushes_the_expected_interval_and_next_run(clean_pushgateway):
    gw = clean_pushgateway
    run_job("run", "addition", PUSHGATEWAY_URL=gw.url, CRONSUITE_SCHEDULE="0 */6 * * *")

    assert gw.value("cronsuite_job_expected_interval_seconds", **GROUP) == 6 * 3600
    next_run = gw.value("cronsuite_job_next_run_timestamp_seconds", **GROUP)
    start = gw.value("cronsuite_job_last_run_start_timestamp_seconds", **GROUP)
    assert 0 < next_run - start <= 6 * 3600
    assert next_run % (6 * 3600) == 0


def test_an_invalid_schedule_is_a_configuration_error():
    result = run_job("run", "addition", CRONSUITE_SCHEDULE="*/5 * * * * *")

    assert result.returncode == 2
    assert "CRONSUITE_SCHEDULE" in result.stderr


def test_a_skipped_run_pushes_only_its_skip_time(clean_pushgateway):
    from tests.support.processes import start_job, terminate, wait_for_line

    gw = clean_pushgateway
    group = {"job": "sleep", "entry": "sleep"}
    first = start_job("run", "sleep", "--seconds", "60", PUSHGATEWAY_URL=gw.url)
    seen = wait_for_line(first, "sleep.started")

    run_job("run", "sleep", "--seconds", "0", PUSHGATEWAY_URL=gw.url)

    assert gw.value("cronsuite_job_last_skip_timestamp_seconds", **group) > 0
    # It should leave the running run's state alone.
    assert status_of(gw, **group)["running"] == 1
    terminate(first, seen)
    assert status_of(gw, **group)["interrupted"] == 1


def test_an_unreachable_pushgateway_never_changes_the_exit_code():
    url = f"http://127.0.0.1:{free_port()}"
    result = run_job("run", "addition", PUSHGATEWAY_URL=url, PUSHGATEWAY_TIMEOUT="2")

    assert result.returncode == 0
    errors = result.events("metrics.push_failed")
    assert errors and all(line["level"] == "error" for line in errors)
    assert url in errors[0]["message"]


def test_without_a_pushgateway_url_it_says_so_once():
    result = run_job("run", "addition")

    assert result.returncode == 0
    assert len(result.events("metrics.disabled")) == 1


def test_a_run_that_counted_nothing_pushes_zero_for_the_previous_runs_kinds(clean_pushgateway):
    gw = clean_pushgateway
    group = {"job": "sleep", "entry": "sleep"}
    run_job("run", "sleep", "--seconds", "0", "--in-transaction", PUSHGATEWAY_URL=gw.url)
    assert gw.value("cronsuite_job_last_run_items", kind="naps", **group) == 1

    run_job(
        "run",
        "sleep",
        "--seconds",
        "30",
        "--in-transaction",
        "--timeout",
        "1",
        PUSHGATEWAY_URL=gw.url,
    )

    # It should not show the previous run's figure beside this run's failure.
    assert gw.value("cronsuite_job_last_run_items", kind="naps", **group) == 0
