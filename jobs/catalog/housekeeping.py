"""Database housekeeping (seed 001): old conversations, orphaned messages, unverified users,
and a statistics snapshot.

Deletes go in batches chosen by primary-key range, each its own short transaction: memory stays
flat, locks stay short, and a run killed at any moment has committed whole batches only. The
database cascades a conversation's messages in the same statement (on_delete=DB_CASCADE), so no
conversation is ever half-deleted. Running it twice is harmless: the second run finds nothing.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone

from app.chat.models import Conversation, Message, StatisticsSnapshot
from jobs.runtime.job import Job
from jobs.runtime.run import Run

TASKS = ("conversations", "messages", "users", "stats")
USER_BATCH_SIZE = 500


def old_conversations(now: datetime) -> QuerySet:
    cutoff = now - timedelta(days=settings.CONVERSATION_RETENTION_DAYS)
    return Conversation.objects.filter(created_at__lt=cutoff)


def orphaned_messages() -> QuerySet:
    return Message.objects.filter(conversation__isnull=True)


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


def delete_conversation_batch(
    queryset: QuerySet, after_pk: int, size: int
) -> tuple[int, int, int] | None:
    """Delete one batch; (last pk, conversations, messages), or None when nothing is left."""
    with transaction.atomic():
        step = next_batch(queryset, after_pk, size)
        if step is None:
            return None
        batch, last_pk = step
        # A delta, so that it also holds inside an enclosing transaction (atomic is then a savepoint).
        before = deleted_in_transaction(Message)
        if before is None:
            messages = Message.objects.filter(conversation__in=batch).count()
        conversations, _ = batch.delete()
        if before is not None:
            messages = deleted_in_transaction(Message) - before
    return last_pk, conversations, messages


def delete_message_batch(queryset: QuerySet, after_pk: int, size: int) -> tuple[int, int] | None:
    with transaction.atomic():
        step = next_batch(queryset, after_pk, size)
        if step is None:
            return None
        batch, last_pk = step
        deleted, _ = batch.delete()
    return last_pk, deleted


def delete_user_batch(queryset: QuerySet, size: int) -> int:
    with transaction.atomic():
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:size])
        _, per_model = User.objects.filter(pk__in=pks).delete()
    return per_model.get("auth.User", 0)


def clean_conversations(run: Run, now: datetime, dry_run: bool) -> None:
    queryset = old_conversations(now)
    if dry_run:
        run.count("conversations", queryset.count())
        run.count("messages", Message.objects.filter(conversation__in=queryset).count())
        return
    # Every old row existing now has a pk <= the largest old pk: bounding the batches by it
    # spares the last batches a scan of every newer row (once to find the batch is short, once
    # more to find nothing is left). A row inserted meanwhile with an old date waits for the next run.
    last_old_pk = queryset.order_by("-pk").values_list("pk", flat=True).first()
    if last_old_pk is None:
        return
    queryset = queryset.filter(pk__lte=last_old_pk)
    after_pk = conversation_step(run, queryset, 0)
    while after_pk is not None:
        after_pk = conversation_step(run, queryset, after_pk)


# One batch each, in a transaction whose counts are added only if it commits (Run.batch): the
# run's counts are exactly what it committed. Each returns where the next batch starts, or None
# when nothing is left.


def conversation_step(run: Run, queryset: QuerySet, after_pk: int) -> int | None:
    with run.batch() as counts:
        step = delete_conversation_batch(queryset, after_pk, settings.HOUSEKEEPING_BATCH_SIZE)
        if step is None:
            return None
        last_pk, counts["conversations"], counts["messages"] = step
    run.log.debug(
        "housekeeping.batch",
        f"Deleted {counts['conversations']} conversations.",
        task="conversations",
        last_pk=last_pk,
    )
    return last_pk


def orphan_step(run: Run, queryset: QuerySet, after_pk: int) -> int | None:
    with run.batch() as counts:
        step = delete_message_batch(queryset, after_pk, settings.HOUSEKEEPING_BATCH_SIZE)
        if step is None:
            return None
        last_pk, counts["orphaned_messages"] = step
    return last_pk


def user_step(run: Run, queryset: QuerySet) -> bool:
    with run.batch() as counts:
        counts["users"] = delete_user_batch(queryset, USER_BATCH_SIZE)
    return counts["users"] > 0


def clean_messages(run: Run, now: datetime, dry_run: bool) -> None:
    queryset = orphaned_messages()
    if dry_run:
        run.count("orphaned_messages", queryset.count())
        return
    after_pk = orphan_step(run, queryset, 0)
    while after_pk is not None:
        after_pk = orphan_step(run, queryset, after_pk)


def clean_users(run: Run, now: datetime, dry_run: bool) -> None:
    queryset = unverified_users(now)
    if dry_run:
        run.count("users", queryset.count())
        return
    while user_step(run, queryset):
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
        for name in (t for t in TASKS if t in (task or TASKS)):
            before = run.counts.copy()
            TASK_FUNCTIONS[name](run, now, dry_run)
            run.log.info(
                "housekeeping.task",
                f"Task {name} done{' (dry run)' if dry_run else ''}.",
                task=name,
                dry_run=dry_run,
                counts=dict(run.counts - before),
            )
