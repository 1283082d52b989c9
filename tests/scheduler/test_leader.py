"""One active scheduler per database, the others on hot standby: the lock on each database, the
claim that keeps a due time from firing twice, and a standby taking over from a SIGKILLed leader."""

from datetime import UTC, datetime, timedelta

import pytest

from jobs.models import JobRun
from jobs.scheduler import claims
from jobs.scheduler.leader import leadership
from jobs.scheduler.models import EntrySchedule

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADD = {"job": "addition", "schedule": "* * * * *", "timeout": 30}


def test_the_leader_lock_is_held_by_one_scheduler_at_a_time():
    first, second = leadership(), leadership()

    # It should let one lead, keep the other waiting, and pass on once the first lets go.
    assert first.try_lead() and first.still_leading()
    assert not second.try_lead()
    first.release()
    assert second.try_lead()
    second.release()


def test_a_due_time_is_claimed_once_whoever_asks():
    # It should let the first claim fire, and no later claim of the same or an older due time.
    assert claims.claim({"add": NOON, "report": NOON}) == ({"add", "report"}, set())
    assert claims.claim({"add": NOON}) == (set(), set())
    assert claims.claim({"add": NOON - timedelta(minutes=1)}) == (set(), set())
    assert claims.claim({"add": NOON + timedelta(minutes=1)}) == ({"add"}, set())
    # It should remember each entry's last fire: a CronJob's lastScheduleTime.
    assert claims.last_fires(["add", "report", "other"]) == {
        "add": NOON + timedelta(minutes=1),
        "report": NOON,
    }


def test_a_standby_takes_over_from_a_killed_leader_without_firing_twice(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    leader = schedulers.start({"add": ADD})
    leader.wait_for("scheduler.leader")
    standby = schedulers.start({"add": ADD})
    standby.wait_for("scheduler.standby")

    clock.set(NOON - timedelta(seconds=1))
    leader.wait_for("run.finished")
    leader.kill()  # SIGKILL: no goodbye, no lock released by hand
    standby.wait_for("scheduler.leader")
    clock.set(NOON + timedelta(seconds=59))
    standby.wait_for("run.finished")

    # It should take over the lock, know 12:00 was fired, and fire 12:01 itself.
    assert [line["due"] for line in leader.events("scheduler.fired")] == [NOON.isoformat()]
    assert [line["due"] for line in standby.events("scheduler.fired")] == [
        (NOON + timedelta(minutes=1)).isoformat()
    ]
    assert sorted(JobRun.objects.values_list("scheduled_for", flat=True)) == [
        NOON,
        NOON + timedelta(minutes=1),
    ]
    assert EntrySchedule.objects.get(entry="add").last_schedule_time == NOON + timedelta(minutes=1)


def test_a_standby_fires_what_the_dead_leader_missed_within_the_deadline(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    leader = schedulers.start({"add": {**ADD, "startingDeadlineSeconds": 60}})
    leader.wait_for("scheduler.leader")
    standby = schedulers.start({"add": {**ADD, "startingDeadlineSeconds": 60}})
    standby.wait_for("scheduler.standby")

    leader.kill()  # before 12:00: the leader never fires it
    clock.set(NOON - timedelta(seconds=1))
    standby.wait_for("scheduler.leader")
    (fired,) = standby.wait_for("scheduler.fired")

    # It should fire 12:00 once it leads, late by no more than the takeover.
    assert fired["due"] == NOON.isoformat()
    assert not leader.events("scheduler.fired")


def test_a_stopped_leader_hands_over_at_once(schedulers, clock):
    clock.set(NOON - timedelta(seconds=30))
    leader = schedulers.start({"add": ADD})
    leader.wait_for("scheduler.leader")
    standby = schedulers.start({"add": ADD})
    standby.wait_for("scheduler.standby")

    assert leader.stop() == 0
    standby.wait_for("scheduler.leader")
