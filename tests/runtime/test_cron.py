"""jobs/cron.py computes fire times as the cronie-like CronJob controller would."""

from datetime import UTC, datetime

import pytest

from jobs.cron import CronError, expected_interval_seconds, next_run, next_runs
from tests.support.chart import CHART, helm


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


# What the API server (robfig/cron) accepts and refuses, and the field a refusal names.
KUBERNETES_VERDICTS = [
    ("0 3 ? * SUN", None),
    ("0 9 * * mon-fri", None),
    ("5/15 * * * *", None),
    ("@weekly", None),
    ("0 0 * * 7", "day-of-week"),
    ("0 0 L * *", "day-of-month"),
    ("0 0 * * 1#2", "day-of-week"),
    ("*/0 * * * *", "minute"),
    ("30-10 * * * *", "minute"),
    ("0 24 * * *", "hour"),
    ("0 0 1 13 *", "month"),
]


@pytest.mark.parametrize("schedule,refused_field", KUBERNETES_VERDICTS)
def test_it_accepts_and_refuses_what_kubernetes_does(schedule, refused_field):
    if refused_field is None:
        next_run(schedule)
        return
    with pytest.raises(CronError, match=f": {refused_field} "):
        next_run(schedule)


@pytest.mark.parametrize("schedule,refused_field", KUBERNETES_VERDICTS)
def test_the_chart_gives_the_same_verdict(schedule, refused_field, tmp_path):
    # The chart's schema is generated from jobs/cron.py's fields: both must agree.
    values = tmp_path / "values.yaml"
    values.write_text(f"jobs:\n  housekeeping:\n    schedule: {schedule!r}\n")

    rendered = helm("template", "cronsuite", str(CHART), "-f", str(values), check=False)

    assert (rendered.returncode == 0) == (refused_field is None), rendered.stderr
