"""Housekeeping (from the scheduler quick start it replaces): boundaries, dry run, batches sized by time, counts, and the real
entrypoint under SIGTERM and overlap. Step functions are called directly; the process tests run
`python -m jobs`."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.db.models import Exists, OuterRef
from django.utils import timezone

from app.accounts.models import EmailVerification
from app.chat.models import Conversation, Message, StatisticsSnapshot
from jobs.catalog import housekeeping
from jobs.models import JobRun
from tests.support.processes import finish, run_job, start_job, terminate, wait_for_line, wait_until
from tests.support.runs import NOW, bare_run

DAY = timedelta(days=1)


def make_user(username, joined_days_ago=0, verified=None, **flags):
    user = User.objects.create_user(username, date_joined=NOW - joined_days_ago * DAY, **flags)
    if verified is not None:
        EmailVerification.objects.create(user=user, verified_at=NOW if verified else None)
    return user


def make_conversation(owner, age, messages=2):
    conversation = Conversation.objects.create(owner=owner, created_at=NOW - age)
    Message.objects.bulk_create(Message(conversation=conversation) for _ in range(messages))
    return conversation


def new_run():
    return bare_run("housekeeping")


@pytest.fixture
def alice(db):
    return make_user("alice", joined_days_ago=100, verified=True)


@pytest.mark.django_db
def test_it_deletes_conversations_older_than_retention_with_their_messages(alice, settings):
    settings.CONVERSATION_RETENTION_DAYS = 30
    old = make_conversation(alice, 31 * DAY)
    exactly_at_retention = make_conversation(alice, 30 * DAY)
    recent = make_conversation(alice, 29 * DAY)
    run = new_run()

    housekeeping.clean_conversations(run, NOW, dry_run=False)

    # It should keep a conversation exactly at the retention limit: it is not older than it.
    assert set(Conversation.objects.all()) == {exactly_at_retention, recent}
    assert not Message.objects.filter(conversation_id=old.pk).exists()
    assert run.counts == Counter(conversations=1, messages=2)


@pytest.mark.django_db
def test_it_deletes_in_batches_until_nothing_is_left(alice, settings):
    settings.HOUSEKEEPING_BATCH_SIZE = 2
    settings.HOUSEKEEPING_BATCH_MILLISECONDS = 0  # every batch at the first size
    for _ in range(5):
        make_conversation(alice, 40 * DAY, messages=3)
    run = new_run()

    housekeeping.clean_conversations(run, NOW, dry_run=False)

    assert not Conversation.objects.exists() and not Message.objects.exists()
    assert run.counts == Counter(conversations=5, messages=15)


@pytest.mark.django_db
def test_one_batch_step_deletes_the_old_conversations_of_its_id_range(alice):
    first, recent, third, fourth = (
        make_conversation(alice, age) for age in (40 * DAY, DAY, 40 * DAY, 40 * DAY)
    )

    deleted = housekeeping.delete_conversation_batch(
        housekeeping.old_conversations(NOW), first.pk - 1, third.pk - first.pk + 1
    )

    # It should delete the old ones among the first three ids, with their messages, and stop there.
    assert deleted == (2, 4)
    assert set(Conversation.objects.all()) == {recent, fourth}


@pytest.mark.django_db
def test_it_finds_old_conversations_whose_ids_come_after_newer_ones(alice, settings):
    settings.HOUSEKEEPING_BATCH_SIZE = 1
    settings.HOUSEKEEPING_BATCH_MILLISECONDS = 0
    # An import or a clock fix can give an old conversation a larger id than recent ones.
    recent = [make_conversation(alice, DAY) for _ in range(3)]
    late_old = make_conversation(alice, 40 * DAY)
    run = new_run()

    housekeeping.clean_conversations(run, NOW, dry_run=False)

    assert not Conversation.objects.filter(pk=late_old.pk).exists()
    assert set(Conversation.objects.all()) == set(recent)
    assert run.counts == Counter(conversations=1, messages=2)


@pytest.mark.django_db
def test_each_batch_step_feeds_its_size_and_time_to_the_sizer(alice):
    conversations = [make_conversation(alice, 40 * DAY, messages=1) for _ in range(15)]
    # A target of an hour: every batch is quick, so each one may double.
    sizer = housekeeping.BatchSizer(first=1, target=3600)
    queryset, after_pk, sizes = housekeeping.old_conversations(NOW), conversations[0].pk - 1, []
    run = new_run()

    while after_pk < conversations[-1].pk:
        sizes.append(sizer.size)
        after_pk = housekeeping.conversation_step(run, queryset, after_pk, sizer)

    assert sizes == [1, 2, 4, 8]
    assert not Conversation.objects.exists()
    assert run.counts == Counter(conversations=15, messages=15)


# BatchSizer: the next batch's size from the rows and seconds of the batches before, as
# pt-online-schema-change's --chunk-time. Fed by hand: no clock in these tests.


def test_quick_batches_grow_at_most_twofold_each_time():
    sizer = housekeeping.BatchSizer(first=100, target=0.1)

    sizer.record(100, 0.001)  # 100,000 rows a second: 10,000 would take the target
    sizer.record(200, 0.002)

    # It should double, twice, rather than trust a rate measured on a few rows.
    assert sizer.size == 400


def test_batches_settle_at_what_the_target_allows():
    sizer = housekeeping.BatchSizer(first=1000, target=0.1)

    for _ in range(10):
        sizer.record(sizer.size, sizer.size / 20_000)  # 20,000 rows a second

    assert sizer.size == 2000


def test_a_slow_batch_shrinks_the_next_one_at_once():
    sizer = housekeeping.BatchSizer(first=2000, target=0.1)
    for _ in range(5):
        sizer.record(2000, 0.1)

    sizer.record(2000, 0.5)  # a checkpoint, a lock, a bigger table: five times slower

    # It should size the next batch by the slow batch's own rate, not the average's.
    assert sizer.size == 400


def test_batches_shrink_no_further_than_a_hundred_rows():
    sizer = housekeeping.BatchSizer(first=1000, target=0.1)

    sizer.record(1000, 10)  # a starved machine: 100 rows a second

    # It should keep batches large enough that their fixed cost is not all of their time.
    assert sizer.size == 100


def test_a_target_of_zero_keeps_every_batch_at_the_first_size():
    sizer = housekeeping.BatchSizer(first=5, target=0)

    sizer.record(5, 0.0001)

    assert sizer.size == 5


def test_a_maximum_caps_the_first_batch_and_every_later_one():
    sizer = housekeeping.BatchSizer(first=1000, target=1, maximum=500)
    first = sizer.size

    sizer.record(first, 0.001)

    assert (first, sizer.size) == (500, 500)


def test_an_empty_batch_teaches_nothing():
    sizer = housekeeping.BatchSizer(first=100, target=0.1)

    sizer.record(0, 0.05)

    assert sizer.size == 100


@pytest.mark.django_db
def test_it_deletes_orphaned_messages_only(alice):
    conversation = make_conversation(alice, DAY)
    Message.objects.bulk_create(Message(conversation=None) for _ in range(3))
    run = new_run()

    housekeeping.clean_messages(run, NOW, dry_run=False)

    assert list(Message.objects.values_list("conversation", flat=True)) == [conversation.pk] * 2
    assert run.counts == Counter(orphaned_messages=3)


@pytest.mark.django_db
def test_it_deletes_only_unverified_ordinary_users_past_the_limit(alice, settings):
    settings.UNVERIFIED_USER_DAYS = 7
    bob = make_user("bob", joined_days_ago=8, verified=False)
    make_conversation(bob, DAY)
    make_user("carol", joined_days_ago=6, verified=False)
    make_user("dave", joined_days_ago=30, verified=False, is_staff=True)
    make_user("erin", joined_days_ago=30, verified=False, is_superuser=True)
    make_user("frank", joined_days_ago=30)  # the app never asked frank to verify
    run = new_run()

    housekeeping.clean_users(run, NOW, dry_run=False)

    # It should never delete staff, superusers, verified users or users still within the limit.
    remaining = set(User.objects.values_list("username", flat=True))
    assert remaining == {"alice", "carol", "dave", "erin", "frank"}
    assert not Conversation.objects.filter(owner_id=bob.pk).exists()
    assert run.counts == Counter(users=1)


@pytest.mark.django_db
def test_a_user_joined_exactly_at_the_limit_is_kept(settings):
    settings.UNVERIFIED_USER_DAYS = 7
    make_user("grace", joined_days_ago=7, verified=False)

    housekeeping.clean_users(new_run(), NOW, dry_run=False)

    assert User.objects.filter(username="grace").exists()


@pytest.mark.django_db
def test_dry_run_counts_everything_and_deletes_nothing(alice):
    make_conversation(alice, 40 * DAY, messages=4)
    Message.objects.create(conversation=None)
    make_user("bob", joined_days_ago=30, verified=False)
    run = new_run()

    housekeeping.Housekeeping().handle(run, dry_run=True)

    assert run.counts == Counter(conversations=1, messages=4, orphaned_messages=1, users=1)
    assert (Conversation.objects.count(), Message.objects.count(), User.objects.count()) == (
        1,
        5,
        2,
    )
    assert not StatisticsSnapshot.objects.exists()


@pytest.mark.django_db
def test_stats_stores_a_snapshot_and_the_application_gauges(alice):
    make_conversation(alice, 2 * DAY, messages=2)
    Message.objects.create(conversation=None, created_at=NOW - 2 * DAY)
    Message.objects.create(conversation=None, created_at=NOW - timedelta(hours=1))
    run = new_run()

    housekeeping.snapshot_statistics(run, NOW, dry_run=False)

    snapshot = StatisticsSnapshot.objects.get()
    assert snapshot.as_dict() == {
        "total_users": 1,
        "total_conversations": 1,
        "total_messages": 4,
        "messages_last_24h": 3,  # the two created "now" by default and the one an hour ago
    }
    assert run.counts == Counter(snapshots=1)
    # It should push the same figures as application gauges with the run's end metrics.
    pushed = {
        name: run.metrics.value(name)
        for name in (
            "cronsuite_app_users",
            "cronsuite_app_conversations",
            "cronsuite_app_messages",
            "cronsuite_app_messages_last_24h",
        )
    }
    assert pushed == {
        "cronsuite_app_users": 1,
        "cronsuite_app_conversations": 1,
        "cronsuite_app_messages": 4,
        "cronsuite_app_messages_last_24h": 3,
    }


@pytest.mark.django_db
def test_task_picks_the_tasks_in_their_fixed_order(alice):
    make_conversation(alice, 40 * DAY)
    run = new_run()

    housekeeping.Housekeeping().handle(run, task=["stats", "messages"])

    # It should leave old conversations alone: only stats and messages ran.
    assert Conversation.objects.count() == 1
    assert StatisticsSnapshot.objects.get().total_conversations == 1


@pytest.mark.django_db
def test_running_twice_is_harmless(alice):
    make_conversation(alice, 40 * DAY)
    housekeeping.Housekeeping().handle(new_run(), task=["conversations"])
    second = new_run()

    housekeeping.Housekeeping().handle(second, task=["conversations"])

    assert dict(second.counts) == {"conversations": 0, "messages": 0}


@pytest.mark.django_db
def test_it_reports_every_kind_of_its_tasks_zero_included(alice):
    make_conversation(alice, DAY)  # recent: nothing to delete
    run = new_run()

    housekeeping.Housekeeping().handle(run)

    # It should say "0 deleted" for each kind rather than leave some kinds out.
    assert dict(run.counts) == {
        "conversations": 0,
        "messages": 0,
        "orphaned_messages": 0,
        "users": 0,
        "snapshots": 1,
    }


@pytest.mark.django_db
def test_a_dry_run_of_one_task_reports_that_tasks_kinds_only(alice):
    run = new_run()

    housekeeping.Housekeeping().handle(run, task=["users", "stats"], dry_run=True)

    assert dict(run.counts) == {"users": 0, "snapshots": 0}


@pytest.mark.django_db(transaction=True)
def test_the_summary_the_row_and_the_gauge_show_every_kind_zero_included(clean_pushgateway):
    # Nothing to delete: such a run used to say `users: 0` and leave conversations out.
    result = run_job("run", "housekeeping", PUSHGATEWAY_URL=clean_pushgateway.url)

    assert result.returncode == 0, result.stdout + result.stderr
    expected = {
        "conversations": 0,
        "messages": 0,
        "orphaned_messages": 0,
        "users": 0,
        "snapshots": 1,
    }
    assert result.summary["counts"] == expected
    assert JobRun.objects.get().counts == expected
    pushed = {
        sample.labels["kind"]: sample.value
        for sample in clean_pushgateway.samples("cronsuite_job_last_run_items")
        if sample.labels["job"] == "housekeeping"
    }
    assert pushed == expected
    # It should give each task's line the same kinds too.
    assert [line["counts"] for line in result.events("housekeeping.task")] == [
        {"conversations": 0, "messages": 0},
        {"orphaned_messages": 0},
        {"users": 0},
        {"snapshots": 1},
    ]


# The real entrypoint, under SIGTERM and overlap, with a deletion large enough to interrupt.

OLD_CONVERSATIONS = 6000
RECENT_CONVERSATIONS = 100


def build_large_dataset():
    owner = User.objects.create_user("bulk", date_joined=NOW)
    for ages, count in ((40 * DAY, OLD_CONVERSATIONS), (DAY, RECENT_CONVERSATIONS)):
        conversations = Conversation.objects.bulk_create(
            Conversation(owner=owner, created_at=NOW - ages) for _ in range(count)
        )
        Message.objects.bulk_create(
            (Message(conversation=c) for c in conversations for _ in range(3)), batch_size=5000
        )


def messages_without_their_conversation() -> int:
    gone = ~Exists(Conversation.objects.filter(pk=OuterRef("conversation_id")))
    return (
        Message.objects.filter(conversation__isnull=True).count()
        + Message.objects.filter(gone).count()
    )


# Fixed batches of 5 (no sizing by time): the run is still deleting when the test acts.
SLOW_BATCHES = {"HOUSEKEEPING_BATCH_SIZE": "5", "HOUSEKEEPING_BATCH_MILLISECONDS": "0"}


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_sigterm_in_the_middle_of_a_large_deletion_leaves_whole_conversations():
    build_large_dataset()
    process = start_job(
        "run", "housekeeping", "--task", "conversations", "--verbose", **SLOW_BATCHES
    )
    seen = wait_for_line(process, "housekeeping.batch")

    result, seconds = terminate(process, seen)

    assert result.returncode == 143 and seconds < 5
    run = JobRun.objects.get()
    assert (run.status, run.exit_code) == ("interrupted", 143)
    old_left = housekeeping.old_conversations(timezone.now()).count()
    assert 0 < old_left < OLD_CONVERSATIONS
    # It should leave no message without its conversation, and count only committed batches.
    assert messages_without_their_conversation() == 0
    assert run.counts["conversations"] == OLD_CONVERSATIONS - old_left
    assert Message.objects.count() == 3 * (old_left + RECENT_CONVERSATIONS)

    second = run_job("run", "housekeeping", "--task", "conversations")

    assert second.returncode == 0
    assert second.summary["counts"]["conversations"] == old_left
    assert Conversation.objects.count() == RECENT_CONVERSATIONS


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_one_works_and_the_other_is_skipped():
    build_large_dataset()
    first = start_job("run", "housekeeping", "--task", "conversations", "--verbose", **SLOW_BATCHES)
    seen = wait_for_line(first, "housekeeping.batch")

    second = run_job("run", "housekeeping", "--task", "conversations")
    first_result = finish(first, seen, timeout=300)

    assert second.returncode == 0 and second.summary["status"] == "skipped"
    assert first_result.returncode == 0
    assert first_result.summary["counts"]["conversations"] == OLD_CONVERSATIONS
    assert Conversation.objects.count() == RECENT_CONVERSATIONS
    statuses = Counter(JobRun.objects.values_list("status", flat=True))
    assert statuses == Counter(succeeded=1, skipped=1)


@pytest.mark.django_db(transaction=True)
def test_sigterm_while_a_batch_waits_on_a_row_lock_rolls_it_back_within_5_seconds():
    # PostgreSQL only (not a core test): the wait is found in pg_stat_activity.
    owner = User.objects.create_user("locker")
    locked = make_conversation(owner, 40 * DAY)
    holder = connections.create_connection("default")
    try:
        # Another session holds the row, as a slow web request would.
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT id FROM chat_conversation WHERE id = %s FOR UPDATE", [locked.pk])
        process = start_job("run", "housekeeping", "--task", "conversations")
        seen = wait_for_line(process, "run.started")
        wait_until(lambda: waiting_on_a_lock() > 0, message="the batch to wait on the row lock")

        result, seconds = terminate(process, seen)
    finally:
        holder.rollback()
        holder.close()

    assert result.returncode == 143 and seconds < 5
    assert JobRun.objects.get().status == "interrupted"
    assert Conversation.objects.filter(pk=locked.pk).exists()


def waiting_on_a_lock() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


# How each database lets a row point at a conversation that does not exist, as its own tools can.
CHECKS_OFF = {
    "postgresql": (
        "SET session_replication_role = replica",
        "SET session_replication_role = DEFAULT",
    ),
    "mysql": ("SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"),
    "sqlite": ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"),
}


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_it_deletes_messages_whose_conversation_no_longer_exists(alice):
    kept = make_conversation(alice, DAY, messages=1)
    connection = connections["default"]
    off, on = CHECKS_OFF[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(off)
        table = connection.ops.quote_name(Message._meta.db_table)
        cursor.execute(
            f"INSERT INTO {table} (conversation_id, body, created_at) VALUES (%s, '', %s)",
            [kept.pk + 1000, NOW],
        )
        cursor.execute(on)
    run = new_run()

    housekeeping.clean_messages(run, NOW, dry_run=False)

    # It should delete the dangling message and keep the one whose conversation exists.
    assert list(Message.objects.values_list("conversation", flat=True)) == [kept.pk]
    assert run.counts["orphaned_messages"] == 1
