"""Database housekeeping (from the scheduler quick start it replaces): old conversations, orphaned messages, unverified users,
and a statistics snapshot.

Deletes go in batches chosen by primary-key range, each its own short transaction: memory stays
flat, locks stay short, and a run killed at any moment has committed whole batches only. The
database cascades a conversation's messages in the same statement (on_delete=DB_CASCADE), so no
conversation is ever half-deleted. Running it twice is harmless: the second run finds nothing.

Batches are sized by time, as pt-online-schema-change's --chunk-time: each batch is grown or
shrunk so it takes about HOUSEKEEPING_BATCH_MILLISECONDS, whatever the table's size, the rows'
messages or the machine's load (BatchSizer). HOUSEKEEPING_BATCH_SIZE is the first batch's size.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from app.chat.models import Conversation, Message, StatisticsSnapshot
from jobs.runtime.job import Job
from jobs.runtime.run import Run

TASKS = ("conversations", "messages", "users", "stats")
# What each task counts. Every kind is reported, zero included (docs/runtime.md, "Counts").
TASK_KINDS = {
    "conversations": ("conversations", "messages"),
    "messages": ("orphaned_messages",),
    "users": ("users",),
    "stats": ("snapshots",),
}
# Users go through Django's collector as a list of primary keys: at most this many at once.
USER_BATCH_SIZE = 500
# A batch is at most twice the size of the one before: a rate measured on few rows can mislead.
GROWTH = 2
# Weight of the past in the rows-per-second average (pt-online-schema-change's 0.75).
DECAY = 0.75
# Batches shrink no further: below this, a batch's fixed cost (round trips, the commit) is most of
# its time, and on a starved machine smaller batches would only get slower, never shorter.
MINIMUM_SIZE = 100


class BatchSizer:
    """The size of the next batch, so that each takes about `target` seconds.

    Each batch's rows and seconds feed a decaying average rate; the next batch holds the rows
    that rate does in `target`. It grows by GROWTH at most, and shrinks at once after a batch
    slower than the average (then its own rate counts), so a slow patch never goes on for long,
    but not below MINIMUM_SIZE (or the first size, if smaller). A target of 0 keeps every batch at
    the first size.
    """

    def __init__(self, first: int, target: float, maximum: int | None = None):
        self.target, self.maximum = target, maximum
        self.size = min(first, maximum) if maximum else first
        self.rows = self.seconds = 0.0  # decaying sums over the batches so far

    def record(self, rows: int, seconds: float) -> None:
        """One batch done: `rows` (or ids, for a range) in `seconds`, commit included."""
        if not self.target or rows <= 0 or seconds <= 0:
            return
        self.rows = self.rows * DECAY + rows
        self.seconds = self.seconds * DECAY + seconds
        rate = min(self.rows / self.seconds, rows / seconds)
        size = max(min(self.size, MINIMUM_SIZE), min(int(rate * self.target), self.size * GROWTH))
        self.size = min(size, self.maximum) if self.maximum else size


def batch_sizer(maximum: int | None = None) -> BatchSizer:
    target = settings.HOUSEKEEPING_BATCH_MILLISECONDS / 1000
    return BatchSizer(settings.HOUSEKEEPING_BATCH_SIZE, target, maximum)


def old_conversations(now: datetime) -> QuerySet:
    cutoff = now - timedelta(days=settings.CONVERSATION_RETENTION_DAYS)
    return Conversation.objects.filter(created_at__lt=cutoff)


def orphaned_messages() -> QuerySet:
    """Messages without a conversation: none, or one that no longer exists (a dangling id is
    possible where foreign-key checks were off: SQLite's shell, PostgreSQL's replica role)."""
    gone = ~Exists(Conversation.objects.filter(pk=OuterRef("conversation_id")))
    return Message.objects.filter(Q(conversation__isnull=True) | gone)


def unverified_users(now: datetime) -> QuerySet:
    cutoff = now - timedelta(days=settings.UNVERIFIED_USER_DAYS)
    return User.objects.filter(
        is_staff=False,
        is_superuser=False,
        date_joined__lt=cutoff,
        email_verification__isnull=False,
        email_verification__verified_at__isnull=True,
    )


def next_batch(queryset: QuerySet, after_pk: int, size: int) -> tuple[QuerySet, int] | None:
    """The next `size` rows of queryset after after_pk, as a pk range (cheap to delete), and
    the range's last pk."""
    pks = queryset.filter(pk__gt=after_pk).order_by("pk").values_list("pk", flat=True)
    last = pks[size - 1 : size].first()
    if last is None:
        last = pks.order_by("-pk").first()
    if last is None:
        return None
    return queryset.filter(pk__gt=after_pk, pk__lte=last), last


def deleted_in_transaction(model) -> int | None:
    """Rows of model deleted so far by the current transaction, database cascades included.

    PostgreSQL counts them per transaction anyway (pg_stat_xact_user_tables), so a batch learns
    how many messages its DELETE cascaded to for free, instead of counting them first (a quarter
    of the DELETE's own time). None elsewhere, or when track_counts is off: count instead.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN current_setting('track_counts')::boolean"
            " THEN pg_stat_get_xact_tuples_deleted(%s::regclass) END",
            [connection.ops.quote_name(model._meta.db_table)],
        )
        return cursor.fetchone()[0]


def delete_conversation_batch(queryset: QuerySet, after_pk: int, span: int) -> tuple[int, int]:
    """Delete the conversations of queryset whose pk is in (after_pk, after_pk + span] with their
    messages, in one transaction; (conversations, messages)."""
    with transaction.atomic(savepoint=False):
        batch = queryset.filter(pk__gt=after_pk, pk__lte=after_pk + span)
        # A delta, so that it also holds inside an enclosing transaction (Run.batch()'s).
        before = deleted_in_transaction(Message)
        if before is None:
            messages = Message.objects.filter(conversation__in=batch).count()
        conversations, _ = batch.delete()
        if before is not None:
            messages = deleted_in_transaction(Message) - before
    return conversations, messages


def delete_message_batch(queryset: QuerySet, after_pk: int, size: int) -> tuple[int, int] | None:
    with transaction.atomic(savepoint=False):
        step = next_batch(queryset, after_pk, size)
        if step is None:
            return None
        batch, last_pk = step
        deleted, _ = batch.delete()
    return last_pk, deleted


def delete_user_batch(queryset: QuerySet, size: int) -> int:
    with transaction.atomic(savepoint=False):
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:size])
        _, per_model = User.objects.filter(pk__in=pks).delete()
    return per_model.get("auth.User", 0)


def clean_conversations(run: Run, now: datetime, dry_run: bool) -> None:
    queryset = old_conversations(now)
    if dry_run:
        run.count("conversations", queryset.count())
        run.count("messages", Message.objects.filter(conversation__in=queryset).count())
        return
    # The batches walk the table's whole id range, old rows or not: every statement reads one
    # batch's range of the primary key and nothing beyond it, however many newer rows follow
    # (finding the largest old id first read them all in one statement: 0.19 s at 1M
    # conversations, over a second at 5M). The range is the ids existing now: a row inserted
    # meanwhile with an old date waits for the next run.
    ids = Conversation.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if ids["last"] is None:
        return
    sizer, after_pk = batch_sizer(), ids["first"] - 1
    while after_pk < ids["last"]:
        after_pk = conversation_step(run, queryset, after_pk, sizer)


# One batch each, in a transaction whose counts are added only if it commits (Run.batch): the
# run's counts are exactly what it committed. Each one's time, commit included, sizes the next.
# The delete_*_batch functions are a transaction of their own when called alone; inside
# Run.batch() they take no savepoint (savepoint=False): two round trips fewer per batch, and an
# error rolls the whole batch back anyway.


def conversation_step(run: Run, queryset: QuerySet, after_pk: int, sizer: BatchSizer) -> int:
    """Delete the old conversations of the next id range; returns the range's last id."""
    span, started = sizer.size, time.monotonic()
    with run.batch() as counts:
        deleted = delete_conversation_batch(queryset, after_pk, span)
        counts["conversations"], counts["messages"] = deleted
    seconds = time.monotonic() - started
    sizer.record(span, seconds)
    run.log.debug(
        "housekeeping.batch",
        f"Deleted {counts['conversations']} conversations.",
        task="conversations",
        last_pk=after_pk + span,
        size=span,
        seconds=round(seconds, 3),
    )
    return after_pk + span


def orphan_step(run: Run, queryset: QuerySet, after_pk: int, sizer: BatchSizer) -> int | None:
    started = time.monotonic()
    with run.batch() as counts:
        step = delete_message_batch(queryset, after_pk, sizer.size)
        if step is None:
            return None
        last_pk, counts["orphaned_messages"] = step
    sizer.record(counts["orphaned_messages"], time.monotonic() - started)
    return last_pk


def user_step(run: Run, queryset: QuerySet, sizer: BatchSizer) -> bool:
    started = time.monotonic()
    with run.batch() as counts:
        counts["users"] = delete_user_batch(queryset, sizer.size)
    sizer.record(counts["users"], time.monotonic() - started)
    return counts["users"] > 0


def clean_messages(run: Run, now: datetime, dry_run: bool) -> None:
    queryset = orphaned_messages()
    if dry_run:
        run.count("orphaned_messages", queryset.count())
        return
    sizer = batch_sizer()
    after_pk = orphan_step(run, queryset, 0, sizer)
    while after_pk is not None:
        after_pk = orphan_step(run, queryset, after_pk, sizer)


def clean_users(run: Run, now: datetime, dry_run: bool) -> None:
    queryset = unverified_users(now)
    if dry_run:
        run.count("users", queryset.count())
        return
    sizer = batch_sizer(maximum=USER_BATCH_SIZE)
    while user_step(run, queryset, sizer):
        pass


def take_statistics(now: datetime) -> StatisticsSnapshot:
    return StatisticsSnapshot(
        created_at=now,
        total_users=User.objects.count(),
        total_conversations=Conversation.objects.count(),
        total_messages=Message.objects.count(),
        messages_last_24h=Message.objects.filter(created_at__gte=now - timedelta(hours=24)).count(),
    )


APP_GAUGES = {
    "total_users": ("cronsuite_app_users", "Users in the application."),
    "total_conversations": ("cronsuite_app_conversations", "Conversations in the application."),
    "total_messages": ("cronsuite_app_messages", "Messages in the application."),
    "messages_last_24h": (
        "cronsuite_app_messages_last_24h",
        "Messages written in the last 24 hours.",
    ),
}


def snapshot_statistics(run: Run, now: datetime, dry_run: bool) -> None:
    snapshot = take_statistics(now)
    if not dry_run:
        snapshot.save()
        run.count("snapshots")
    for field, value in snapshot.as_dict().items():
        name, documentation = APP_GAUGES[field]
        run.gauge(name, documentation, value)
    run.log.info("housekeeping.stats", "Statistics.", **snapshot.as_dict())


TASK_FUNCTIONS = {
    "conversations": clean_conversations,
    "messages": clean_messages,
    "users": clean_users,
    "stats": snapshot_statistics,
}


class Housekeeping(Job):
    name = "housekeeping"
    help = "Delete old conversations, orphaned messages and unverified users; snapshot statistics."

    def add_arguments(self, parser):
        parser.add_argument(
            "--task",
            action="append",
            choices=TASKS,
            help="run only this task; repeatable (default: all, in the order shown)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, change nothing"
        )

    def handle(self, run: Run, task: list[str] | None = None, dry_run: bool = False) -> None:
        now = timezone.now()
        chosen = [name for name in TASKS if name in (task or TASKS)]
        for kind in (kind for name in chosen for kind in TASK_KINDS[name]):
            run.count(kind, 0)
        for name in chosen:
            before = run.counts.copy()
            TASK_FUNCTIONS[name](run, now, dry_run)
            run.log.info(
                "housekeeping.task",
                f"Task {name} done{' (dry run)' if dry_run else ''}.",
                task=name,
                dry_run=dry_run,
                counts={kind: run.counts[kind] - before[kind] for kind in TASK_KINDS[name]},
            )
