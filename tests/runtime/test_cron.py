"""jobs/cron.py computes fire times as the cronie-like CronJob controller would."""

from datetime import UTC, datetime

import pytest

from jobs.cron import CronError, expected_interval_seconds, next_run, next_runs


def test_next_run_is_strictly_after_now_in_the_entry_time_zone():
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert next_run("0 2 * * *", "UTC", now) == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    berlin = next_run("0 2 * * *", "Europe/Berlin", now)
    assert berlin.utcoffset().total_seconds() == 3600 and (berlin.day, berlin.hour) == (25, 2)


def test_a_time_skipped_by_dst_runs_at_the_next_valid_minute_like_cronie():
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert next_run("30 2 * * *", "Europe/Berlin", now).isoformat() == "2026-03-29T03:00:00+02:00"


@pytest.mark.parametrize(
    "schedule,tz,hours",
    [
        ("*/5 * * * *", "UTC", 5 / 60),
        ("0 */6 * * *", "UTC", 6),
        ("0 3 * * 0", "UTC", 7 * 24),
        ("@hourly", "UTC", 1),
        ("0 9 * * 1-5", "UTC", 72),  # Friday to Monday
        ("0 2 * * *", "Europe/Berlin", 25),  # the night clocks go back
    ],
)
def test_expected_interval_is_the_longest_real_gap(schedule, tz, hours):
    now = datetime(2026, 10, 1, tzinfo=UTC)
    assert expected_interval_seconds(schedule, tz, now) == hours * 3600


def test_it_rejects_what_kubernetes_rejects():
    for schedule, tz in [
        ("0 0 2 * * *", "UTC"),
        ("TZ=UTC 0 2 * * *", "UTC"),
        ("0 2 * * *", "Mars/Olympus"),
    ]:
        with pytest.raises(CronError):
            next_runs(schedule, tz)
