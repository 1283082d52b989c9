"""What the dashboard asks of each entry's runs: the last outcome (skips ignored), the last
success and the first failure since, for every entry in one query."""

from datetime import timedelta

import pytest

from jobs.web.latest import latest_runs
from tests.support.runs import make_run

HOUR = timedelta(hours=1)
# The one query must hold on every database the dashboard may run on.
pytestmark = [pytest.mark.django_db, pytest.mark.core]


def test_skips_hide_nothing_and_failing_starts_at_the_first_failure_after_a_success():
    make_run("statistics", 9 * HOUR, "failed", error="an old failure, before the success")
    success = make_run("statistics", 7 * HOUR)
    first = make_run("statistics", 5 * HOUR, "failed", error="db gone")
    last = make_run("statistics", 3 * HOUR, "timed_out", exit_code=124)
    make_run("statistics", 1 * HOUR, "skipped")

    latest = latest_runs(["statistics"])["statistics"]

    # It should name the last run that did something, not the skip after it.
    assert latest.outcome == last
    assert latest.success == success
    assert latest.first_failure == first


def test_a_success_after_failures_ends_the_failing():
    make_run("statistics", 5 * HOUR, "failed")
    success = make_run("statistics", 1 * HOUR)

    latest = latest_runs(["statistics"])["statistics"]

    assert (latest.outcome, latest.success, latest.first_failure) == (success, success, None)


def test_a_run_in_progress_is_the_outcome_and_the_failing_goes_on():
    first = make_run("statistics", 5 * HOUR, "failed")
    running = make_run("statistics", timedelta(minutes=1), "running")

    latest = latest_runs(["statistics"])["statistics"]

    assert (latest.outcome, latest.success, latest.first_failure) == (running, None, first)


def test_entries_keep_to_their_own_runs_and_one_without_runs_has_none(
    django_assert_num_queries,
):
    make_run("statistics", 2 * HOUR, "failed")
    housekeeping = make_run("housekeeping", 1 * HOUR)

    with django_assert_num_queries(1):
        latest = latest_runs(["statistics", "housekeeping", "daily-report"])

    assert latest["housekeeping"].outcome == housekeeping
    assert latest["housekeeping"].first_failure is None
    assert latest["statistics"].success is None
    assert latest["daily-report"].outcome is None
