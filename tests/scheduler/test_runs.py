"""What happens to a run once fired, with real children: retries after the backoff, never after
exit 2; a child past its deadline stopped and recorded as timed out; Forbid, Replace and the
starting deadline deciding a fire while the previous run is still there."""

from datetime import UTC, datetime, timedelta
from urllib.request import urlopen

import pytest

from jobs import suspensions
from jobs.models import JobRun
from tests.support.scheduler import SchedulerProcess

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVERY_MINUTE = {"schedule": "* * * * *", "timeout": 30}


def started_at_noon(schedulers, clock, entries: dict) -> SchedulerProcess:
    """A leading scheduler whose clock is a second before noon."""
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start(entries)
    scheduler.wait_for("scheduler.leader")
    clock.set(NOON - timedelta(seconds=1))
    return scheduler


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_child_that_exits_2_is_not_retried(schedulers, clock):
    broken = {**EVERY_MINUTE, "job": "fail", "args": ["--configuration"], "backoffLimit": 3}
    scheduler = started_at_noon(schedulers, clock, {"broken": broken})

    (gave_up,) = scheduler.wait_for("scheduler.gave_up")
    # Long past the first backoff (10 s), the next minute's run starts as usual.
    clock.set(NOON + timedelta(seconds=59))
    scheduler.wait_for("scheduler.fired", count=2)

    # It should say why, and start no second attempt of the 12:00 run.
    assert gave_up["exit_code"] == 2
    assert gave_up["message"].endswith("failed: a configuration error is not retried.")
    assert not scheduler.events("scheduler.retry")
    assert [line["attempt"] for line in scheduler.events("scheduler.fired")] == [1, 1]
    assert JobRun.objects.filter(scheduled_for=NOON).count() == 1


def test_a_failed_attempt_is_retried_after_kubernetes_pod_backoff(schedulers, clock, tmp_path):
    flaky = {
        **EVERY_MINUTE,
        "schedule": "0 * * * *",
        "job": "flaky",
        "args": ["--counter", str(tmp_path / "attempts"), "--succeed-at", "3"],
        "backoffLimit": 3,
    }
    scheduler = started_at_noon(schedulers, clock, {"flaky": flaky})

    (first,) = scheduler.wait_for("scheduler.retry")
    clock.set(at(first["retry_at"]))
    second = scheduler.wait_for("scheduler.retry", count=2)[1]
    clock.set(at(second["retry_at"]))
    scheduler.wait_for("run.finished", count=3)

    # It should wait 10 s, then 20 s, and stop retrying once an attempt succeeds.
    assert [line["delay_seconds"] for line in scheduler.events("scheduler.retry")] == [10, 20]
    assert [line["attempt"] for line in scheduler.events("scheduler.fired")] == [1, 2, 3]
    runs = JobRun.objects.order_by("started_at")
    assert [run.status for run in runs] == ["failed", "failed", "succeeded"]
    # Every attempt is the same scheduled run, as a Job's pods are.
    assert {run.scheduled_for for run in runs} == {NOON}


def test_the_last_attempt_allowed_by_the_backoff_limit_ends_the_run(schedulers, clock):
    once = {**EVERY_MINUTE, "job": "fail", "backoffLimit": 0}
    scheduler = started_at_noon(schedulers, clock, {"once": once})

    (gave_up,) = scheduler.wait_for("scheduler.gave_up")

    assert gave_up["exit_code"] == 1
    assert gave_up["message"].endswith("failed: backoffLimit 0 reached.")


def test_a_child_past_its_timeout_ends_itself_and_is_recorded_as_timed_out(schedulers, clock):
    slow = {**EVERY_MINUTE, "job": "sleep", "args": ["--seconds", "60"], "timeout": 1}
    scheduler = started_at_noon(schedulers, clock, {"slow": {**slow, "backoffLimit": 0}})

    (gave_up,) = scheduler.wait_for("scheduler.gave_up")

    # It should be the child's own deadline (exit 124), its run recorded by itself.
    assert gave_up["exit_code"] == 124
    run = JobRun.objects.get()
    assert (run.status, run.exit_code) == ("timed_out", 124)
    assert not scheduler.events("scheduler.killed")


def test_a_stuck_child_past_its_timeout_is_killed_and_recorded_as_timed_out(schedulers, clock):
    # It ignores SIGTERM and its own deadline: only the scheduler's backstop can end it.
    stuck = {**EVERY_MINUTE, "job": "stubborn", "timeout": 1, "terminationGracePeriodSeconds": 1}
    scheduler = started_at_noon(schedulers, clock, {"stuck": {**stuck, "backoffLimit": 0}})
    (fired,) = scheduler.wait_for("scheduler.fired")
    scheduler.wait_for("stubborn.started")

    # Its timeout (1 s) and the start-up allowance (10 s) later, and a little more.
    clock.set(NOON + timedelta(seconds=fired["lateness_seconds"] + 11.5))
    term, kill = scheduler.wait_for("scheduler.killed", count=2)
    scheduler.wait_for("scheduler.gave_up")

    # It should send SIGTERM, then SIGKILL once the grace (1 s) is over.
    assert (term["signal"], term["reason"]) == ("SIGTERM", "timeout")
    assert (kill["signal"], kill["reason"]) == ("SIGKILL", "timeout")
    # The child could not record its end: the scheduler did.
    run = JobRun.objects.get()
    assert (run.status, run.exit_code) == ("timed_out", 124)
    assert run.error == "killed by the scheduler (SIGKILL): timeout"


def test_forbid_skips_a_fire_while_the_previous_run_is_there_and_counts_it(schedulers, clock):
    slow = {**EVERY_MINUTE, "job": "sleep", "args": ["--seconds", "120"], "timeout": 300}
    scheduler = started_at_noon(schedulers, clock, {"slow": slow})
    scheduler.wait_for("sleep.started")

    clock.set(NOON + timedelta(seconds=59))
    (skipped,) = scheduler.wait_for("scheduler.skipped")

    assert (skipped["entry"], skipped["reason"]) == ("slow", "forbid")
    assert skipped["due"] == (NOON + timedelta(minutes=1)).isoformat()
    assert len(scheduler.events("scheduler.fired")) == 1
    assert 'cronsuite_scheduler_skips_total{entry="slow",reason="forbid"} 1.0' in scrape(scheduler)


def test_replace_stops_the_previous_run_and_starts_the_new_one(schedulers, clock):
    slow = {"job": "sleep", "args": ["--seconds", "120"], "timeout": 300}
    replace = {**EVERY_MINUTE, **slow, "concurrencyPolicy": "Replace"}
    scheduler = started_at_noon(schedulers, clock, {"slow": replace})
    scheduler.wait_for("sleep.started")

    clock.set(NOON + timedelta(seconds=59))
    (killed,) = scheduler.wait_for("scheduler.killed")
    scheduler.wait_for("run.finished")
    scheduler.wait_for("sleep.started", count=2)

    assert (killed["signal"], killed["reason"]) == ("SIGTERM", "replaced")
    # The replaced run records itself as interrupted and is not retried.
    replaced = JobRun.objects.get(scheduled_for=NOON)
    assert (replaced.status, replaced.exit_code) == ("interrupted", 143)
    assert not scheduler.events("scheduler.retry")


def test_a_fire_later_than_the_starting_deadline_is_skipped(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    scheduler = schedulers.start(
        {"late": {**EVERY_MINUTE, "job": "addition", "startingDeadlineSeconds": 10}}
    )
    scheduler.wait_for("scheduler.leader")

    # The scheduler's clock jumps, as after a suspended laptop wakes up.
    clock.set(NOON + timedelta(seconds=20))
    (skipped,) = scheduler.wait_for("scheduler.skipped")

    assert (skipped["reason"], skipped["due"]) == ("missed", NOON.isoformat())
    assert not scheduler.events("scheduler.fired")


def scrape(scheduler: SchedulerProcess) -> str:
    """The scheduler's own /metrics."""
    with urlopen(scheduler.url("/metrics"), timeout=10) as answer:
        return answer.read().decode()


def test_an_entry_suspended_on_this_machine_is_skipped_until_resumed(schedulers, clock):
    suspensions.record("add", True, by="olga", reason="maintenance")
    scheduler = started_at_noon(schedulers, clock, {"add": {**EVERY_MINUTE, "job": "addition"}})

    (skipped,) = scheduler.wait_for("scheduler.skipped")
    suspensions.record("add", False, by="olga")
    clock.set(NOON + timedelta(seconds=59))
    (fired,) = scheduler.wait_for("scheduler.fired")

    # It should honour `python -m jobs suspend` without a restart, and `resume` as well.
    assert (skipped["reason"], skipped["due"]) == ("suspended", NOON.isoformat())
    assert fired["due"] == (NOON + timedelta(minutes=1)).isoformat()
