"""What an entry does on the nights its time zone's clocks jump, decided as Debian's cron does.

A schedule whose minute and hour are both specific (`30 2 * * *`) names a wall-clock time: it runs
once, right after an hour the clocks skip, and the first time through an hour they repeat (the
Kubernetes controller runs it twice then: kubernetes#121594). Any other schedule is an interval of
real time. Each test walks the scheduler's clock through the night, 20 seconds at a time, as its
loop would.
"""

from datetime import UTC, datetime, timedelta

import pytest

from jobs import cron, entries
from jobs.runtime.listing import format_entries
from jobs.scheduler.timing import Timing, latest_due

STEP = timedelta(seconds=20)


def fires(schedule: str, tz: str, start: datetime, hours: int = 6) -> list[str]:
    """Every fire the loop makes from `start`, as local ISO times."""
    timing = Timing(schedule, tz)
    after, fired, now = start, [], start
    while now < start + timedelta(hours=hours):
        now += STEP
        due = latest_due(timing, after, now)
        if due is not None:
            fired.append(due.astimezone(cron.zone(tz)).isoformat())
            after = due
    return fired


# Clocks go forward: 2026-03-29 02:00 -> 03:00 in Paris, 2026-03-08 02:00 -> 03:00 in New York.
PARIS_SPRING = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
NEW_YORK_SPRING = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
# Clocks go back: 2026-10-25 03:00 -> 02:00 in Paris, 2026-11-01 02:00 -> 01:00 in New York.
PARIS_AUTUMN = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)
NEW_YORK_AUTUMN = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "schedule,tz,start,expected",
    [
        ("30 2 * * *", "Europe/Paris", PARIS_SPRING, ["2026-03-29T03:00:00+02:00"]),
        ("30 2 * * *", "America/New_York", NEW_YORK_SPRING, ["2026-03-08T03:00:00-04:00"]),
    ],
)
def test_a_wall_clock_time_the_clocks_skip_runs_once_right_after(schedule, tz, start, expected):
    # It should run at the first minute after the skipped hour, once, not lose the day's run.
    assert fires(schedule, tz, start) == expected


@pytest.mark.parametrize(
    "schedule,tz,start,expected",
    [
        ("30 2 * * *", "Europe/Paris", PARIS_AUTUMN, ["2026-10-25T02:30:00+02:00"]),
        ("30 1 * * *", "America/New_York", NEW_YORK_AUTUMN, ["2026-11-01T01:30:00-04:00"]),
    ],
)
def test_a_wall_clock_time_the_clocks_repeat_runs_once_the_first_time(
    schedule, tz, start, expected
):
    # It should not run a second time when the clock passes 02:30 again (Kubernetes would).
    assert fires(schedule, tz, start) == expected


def test_an_interval_runs_in_both_passes_of_a_repeated_hour():
    # Every 20 minutes of real time, whatever the wall clock says: 02:00+02 ... 02:40+01.
    night = fires("*/20 2 * * *", "Europe/Paris", PARIS_AUTUMN)

    assert night == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:20:00+02:00",
        "2026-10-25T02:40:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:20:00+01:00",
        "2026-10-25T02:40:00+01:00",
    ]


def test_an_interval_has_no_fires_in_a_skipped_hour():
    # 02:00, 02:20 and 02:40 never exist that night; nothing is moved to 03:00.
    assert fires("*/20 2 * * *", "Europe/Paris", PARIS_SPRING) == []
    every_half_hour = fires("*/30 * * * *", "America/New_York", NEW_YORK_SPRING, hours=3)
    assert every_half_hour == [
        "2026-03-08T00:30:00-05:00",
        "2026-03-08T01:00:00-05:00",
        "2026-03-08T01:30:00-05:00",
        "2026-03-08T03:00:00-04:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-08T04:00:00-04:00",
    ]


def test_a_scheduler_started_in_the_second_pass_does_not_run_the_first_pass_time_again():
    # 06:00 UTC is the second 01:00 in New York; the 01:30 run was at the first pass.
    second_pass = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)

    assert fires("30 1 * * *", "America/New_York", second_pass, hours=2) == []
    # cron.fire_times keeps its promise of times strictly after `now` there too.
    assert cron.next_run("30 1 * * *", "America/New_York", second_pass).day == 2


def test_transitions_are_found_with_the_hour_they_skip_or_repeat():
    changes = cron.transitions("Europe/Paris", datetime(2026, 6, 1, tzinfo=UTC))

    assert [(c.at.isoformat(), c.skipped) for c in changes] == [
        ("2026-10-25T01:00:00+00:00", False),
        ("2027-03-28T01:00:00+00:00", True),
    ]
    assert (changes[0].start.hour, changes[0].end.hour) == (2, 3)
    assert cron.transitions("UTC", datetime(2026, 6, 1, tzinfo=UTC)) == []


def test_a_schedule_inside_a_transition_hour_gets_one_warning_per_night():
    warnings = cron.dst_warnings("30 2 * * *", "Europe/Paris", datetime(2026, 6, 1, tzinfo=UTC))

    assert warnings == [
        "the 02:30 run of 2026-10-25 falls in 02:00-03:00, which Europe/Paris repeats: "
        "it runs once, the first time (a Kubernetes CronJob runs it twice)",
        "the 02:30 run of 2027-03-28 falls in 02:00-03:00, which Europe/Paris skips: "
        "it runs at 03:00 instead",
    ]


@pytest.mark.parametrize(
    "schedule,tz",
    [
        ("0 2 * * *", "UTC"),  # no DST in UTC
        ("0 3 * * *", "Europe/Paris"),  # 03:00 is right after the hour, never inside it
        ("*/5 * * * *", "Europe/Paris"),  # an interval through every hour
        ("0 */6 * * *", "America/New_York"),  # 00, 06, 12, 18: never 01 or 02
    ],
)
def test_schedules_clear_of_the_transitions_get_no_warning(schedule, tz):
    assert cron.dst_warnings(schedule, tz, datetime(2026, 6, 1, tzinfo=UTC)) == []


def test_a_warning_says_what_an_interval_with_a_fixed_hour_does():
    warnings = cron.dst_warnings("*/20 2 * * *", "Europe/Paris", datetime(2026, 6, 1, tzinfo=UTC))

    assert [w.rsplit(": ", 1)[1] for w in warnings] == [
        "it runs in both passes of that hour",
        "it does not run in that hour",
    ]


def test_list_prints_each_warning_under_its_entry_within_80_columns(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(
        "jobs:\n"
        "  night-export:\n"
        "    job: addition\n"
        '    schedule: "30 1 * * *"\n'
        "    timeZone: America/New_York\n"
    )
    found = entries.load([str(values)])

    listed = format_entries(found, now=datetime(2026, 6, 1, tzinfo=UTC)).splitlines()

    # It should say, under the entry, that New York repeats 01:00-02:00 in November.
    block = listed[listed.index("night-export  [active]") :]
    warning = next(i for i, line in enumerate(block) if line.startswith("    DST:"))
    said = " ".join(line.strip() for line in block[warning : warning + 3])
    assert "the 01:30 run of 2026-11-01 falls in 01:00-02:00, which America/New_York" in said
    assert all(len(line) <= 80 for line in listed)
