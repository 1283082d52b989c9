"""An entry's state in healthchecks.io's words, from its last success, its failures since and its
schedule: pure functions of a clock the tests set."""

from datetime import UTC, datetime, timedelta

from jobs.web.states import DOWN, FAILING, LATE, NEW, PAUSED, UP, state_of

# A daily entry at 02:00 UTC whose runs may take up to ten minutes.
DAILY = {"schedule": "0 2 * * *", "time_zone": "UTC", "timeout_seconds": 600}
SUCCEEDED_AT = datetime(2026, 12, 1, 2, 0, 3, tzinfo=UTC)
DUE = datetime(2026, 12, 2, 2, 10, tzinfo=UTC)  # the next 02:00, plus the timeout


def daily(now, *, suspended=False, last_success=SUCCEEDED_AT, failing_since=None):
    return state_of(
        **DAILY,
        suspended=suspended,
        last_success=last_success,
        failing_since=failing_since,
        now=now,
    )


def test_it_is_up_until_the_next_run_has_had_its_timeout():
    state = daily(DUE)

    assert state.word == UP
    assert (state.since, state.due) == (SUCCEEDED_AT, DUE)


def test_it_is_late_past_that_within_the_grace_of_an_hour():
    assert daily(DUE + timedelta(seconds=1)).word == LATE
    assert daily(DUE + timedelta(hours=1)).word == LATE


def test_it_is_down_once_the_grace_is_over_and_says_since_when():
    state = daily(DUE + timedelta(hours=1, seconds=1))

    assert state.word == DOWN
    assert state.since == DUE + timedelta(hours=1)


def test_an_entry_that_runs_every_minute_gets_a_minute_of_grace():
    every_minute = {"schedule": "* * * * *", "time_zone": "UTC", "timeout_seconds": 50}
    succeeded = datetime(2026, 12, 1, 12, 0, 1, tzinfo=UTC)
    due = datetime(2026, 12, 1, 12, 1, 50, tzinfo=UTC)

    def at(now):
        return state_of(
            **every_minute, suspended=False, last_success=succeeded, failing_since=None, now=now
        ).word

    assert [at(due), at(due + timedelta(seconds=60)), at(due + timedelta(seconds=61))] == [
        UP,
        LATE,
        DOWN,
    ]


def test_a_failure_since_the_last_success_makes_it_failing_since_that_failure():
    failed_at = DUE - timedelta(hours=3)

    state = daily(DUE, failing_since=failed_at)

    # It should say failing even while a success would not be due yet: the last run failed.
    assert state.word == FAILING and state.since == failed_at
    assert state.tone == "bad"


def test_a_suspended_entry_is_paused_whatever_its_runs_say():
    state = daily(DUE + timedelta(days=30), suspended=True, failing_since=DUE)

    assert state.word == PAUSED and state.tone == "quiet"


def test_an_entry_that_never_succeeded_nor_failed_is_new():
    assert daily(DUE, last_success=None).word == NEW


def test_late_and_down_follow_the_entrys_own_time_zone_across_a_dst_change():
    # 09:00 in Paris, every day; the clocks went back in the night to 2026-10-25 (CEST to CET),
    # so that day's run is 25 hours after the one before.
    paris = {"schedule": "0 9 * * *", "time_zone": "Europe/Paris", "timeout_seconds": 60}
    succeeded = datetime(2026, 10, 24, 7, 0, 5, tzinfo=UTC)  # 09:00:05 CEST
    due = datetime(2026, 10, 25, 8, 1, tzinfo=UTC)  # 09:00 CET, plus 60 s

    def at(now):
        return state_of(
            **paris, suspended=False, last_success=succeeded, failing_since=None, now=now
        ).word

    assert (at(due), at(due + timedelta(seconds=1))) == (UP, LATE)
