"""When an entry fires, is skipped, retried or stopped: pure functions of the time they are given."""

from datetime import UTC, datetime, timedelta

import pytest

from jobs.scheduler.timing import (
    DST_MARGIN,
    Action,
    Concurrency,
    Timing,
    action,
    attempt_ends,
    backoff,
    kill_at,
    latest_due,
    next_due,
    retries,
    run_ends,
    too_late,
)

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOURLY = Timing("0 * * * *", "UTC", starting_deadline=60, backoff_limit=3, timeout=300)
MINUTELY = Timing("* * * * *", "UTC", starting_deadline=None)


def test_an_entry_is_due_at_its_fire_time_and_not_a_second_before():
    before = NOON - timedelta(hours=1)

    # It should fire when the clock reaches the time, and not earlier.
    assert latest_due(HOURLY, before, NOON - timedelta(seconds=1)) is None
    assert latest_due(HOURLY, before, NOON) == NOON
    # It should not fire twice for one time: the fire handled is the next call's `after`.
    assert latest_due(HOURLY, NOON, NOON + timedelta(minutes=59)) is None


def test_the_next_due_time_is_strictly_after():
    assert next_due(HOURLY, NOON) == NOON + timedelta(hours=1)
    assert next_due(HOURLY, NOON - timedelta(seconds=1)) == NOON


def test_after_downtime_it_owes_one_run_the_latest():
    three_days_ago = NOON - timedelta(days=3, minutes=30)

    # It should return only the most recent fire time, never the 72 it missed.
    assert latest_due(HOURLY, three_days_ago, NOON + timedelta(minutes=10)) == NOON
    a_week_ago = NOON - timedelta(days=7)
    assert latest_due(MINUTELY, a_week_ago, NOON + timedelta(seconds=30)) == NOON


def test_a_fire_later_than_the_starting_deadline_is_missed():
    # It should still start 60 s late, and be dropped one second later.
    assert not too_late(HOURLY, NOON, NOON + timedelta(seconds=60))
    assert too_late(HOURLY, NOON, NOON + timedelta(seconds=61))
    assert action(HOURLY, NOON, NOON + timedelta(seconds=61), active=False) == Action.MISSED


def test_without_a_starting_deadline_a_fire_is_never_too_late():
    assert not too_late(MINUTELY, NOON, NOON + timedelta(days=2))


@pytest.mark.parametrize(
    "concurrency,active,expected",
    [
        (Concurrency.FORBID, False, Action.START),
        (Concurrency.FORBID, True, Action.SKIP),
        (Concurrency.ALLOW, True, Action.START),
        (Concurrency.REPLACE, False, Action.START),
        (Concurrency.REPLACE, True, Action.REPLACE),
    ],
)
def test_concurrency_policy_decides_as_kubernetes_does(concurrency, active, expected):
    timing = Timing("0 * * * *", "UTC", concurrency=concurrency, starting_deadline=60)

    assert action(timing, NOON, NOON + timedelta(seconds=1), active) == expected


def test_a_missed_fire_is_missed_whatever_the_policy():
    for concurrency in Concurrency:
        timing = Timing("0 * * * *", "UTC", concurrency=concurrency, starting_deadline=10)
        assert action(timing, NOON, NOON + timedelta(seconds=11), True) == Action.MISSED


def test_the_backoff_is_kubernetes_pod_backoff():
    # It should wait 10 s, doubling, at most 6 minutes.
    assert [backoff(n) for n in range(1, 9)] == [10, 20, 40, 80, 160, 320, 360, 360]


def test_a_failed_attempt_is_retried_up_to_the_backoff_limit():
    # backoffLimit 3: three retries, so the fourth failure is the last.
    assert [retries(HOURLY, 1, failures) for failures in (1, 2, 3, 4)] == [True] * 3 + [False]
    # It should retry a timed-out or interrupted attempt like a failed one.
    assert retries(HOURLY, 124, 1) and retries(HOURLY, 143, 1)


def test_exit_2_is_never_retried():
    # It should follow the chart's podFailurePolicy: a configuration error fails the run at once.
    assert not retries(HOURLY, 2, 1)


def test_backoff_limit_0_never_retries_and_success_needs_no_retry():
    once = Timing("0 * * * *", "UTC", backoff_limit=0)
    assert not retries(once, 1, 1)
    assert not retries(HOURLY, 0, 1)


def test_an_attempt_is_stopped_a_little_after_its_timeout_then_killed_after_its_grace():
    timing = Timing("0 * * * *", "UTC", timeout=300, grace=30)

    # It should leave the child its own deadline (exit 124) and the start-up allowance first.
    assert attempt_ends(timing, NOON) == NOON + timedelta(seconds=310)
    assert kill_at(timing, NOON) == NOON + timedelta(seconds=30)


def test_only_an_explicit_active_deadline_bounds_the_whole_run():
    # The chart derives one when unset; that formula stays in the chart's templates.
    assert run_ends(HOURLY, NOON) is None
    bounded = Timing("0 * * * *", "UTC", timeout=300, run_deadline=900)
    assert run_ends(bounded, NOON) == NOON + timedelta(seconds=900)


def test_timing_reads_the_entry_settings_the_chart_merges():
    settings = {
        "schedule": "*/5 * * * *",
        "timeZone": "Europe/Paris",
        "concurrencyPolicy": "Replace",
        "startingDeadlineSeconds": 30,
        "backoffLimit": 1,
        "timeout": 30,
        "terminationGracePeriodSeconds": 5,
    }

    timing = Timing.of(settings)

    assert (timing.concurrency, timing.starting_deadline, timing.backoff_limit) == (
        Concurrency.REPLACE,
        30,
        1,
    )
    assert (timing.timeout, timing.grace, timing.run_deadline) == (30, 5, None)
    # It should look back over the longest gap between two fires, and a DST hour.
    assert timing.lookback == timedelta(minutes=5) + DST_MARGIN


def test_a_setting_removed_with_null_takes_the_kubernetes_default():
    timing = Timing.of({"schedule": "0 * * * *", "timeout": 60})

    assert (timing.concurrency, timing.backoff_limit, timing.grace) == (Concurrency.ALLOW, 6, 30)
    assert timing.starting_deadline is None and timing.time_zone == "UTC"
