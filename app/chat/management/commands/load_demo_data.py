"""A small, recognisable dataset so `make run` has something to clean up."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from app.accounts.models import EmailVerification
from app.chat.models import Conversation, Message

USERS = 12
# The demo's one staff account, to log in to the admin with (`make web` prints it). Demo data
# goes only into an empty database, so this password never replaces a real one.
ADMIN_USERNAME = ADMIN_PASSWORD = "admin"
CONVERSATIONS_PER_USER = 4
MESSAGES_PER_CONVERSATION = 3


class Command(BaseCommand):
    help = "Load a small demo dataset into an empty database (does nothing otherwise)."

    def handle(self, *args, **options):
        if User.objects.exists() or Conversation.objects.exists():
            return "The database already has data: demo data not loaded."
        with transaction.atomic():
            load(timezone.now())
        return (
            f"Loaded demo data: {User.objects.count()} users, {Conversation.objects.count()} "
            f"conversations, {Message.objects.count()} messages.\n"
            f"The admin's demo login: user {ADMIN_USERNAME}, password {ADMIN_PASSWORD}."
        )


def load(now) -> None:
    User.objects.create_user(
        ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD, is_staff=True, is_superuser=True
    )
    for number in range(USERS):
        user = make_user(number, now)
        for age_days in range(0, 60, 60 // CONVERSATIONS_PER_USER):
            make_conversation(user, now - timedelta(days=age_days + number % 3))
    Message.objects.bulk_create(Message(body="orphaned", created_at=now) for _ in range(5))


def make_user(number: int, now):
    # Every third user never verified their email; some of those joined long ago.
    joined = now - timedelta(days=number * 2)
    user = User.objects.create_user(
        f"user{number}", f"user{number}@example.com", date_joined=joined
    )
    verified_at = None if number % 3 == 0 else joined + timedelta(hours=1)
    EmailVerification.objects.create(user=user, verified_at=verified_at)
    return user


def make_conversation(user, created_at) -> None:
    conversation = Conversation.objects.create(
        owner=user, title=f"Chat of {user}", created_at=created_at
    )
    Message.objects.bulk_create(
        Message(conversation=conversation, body=f"message {n}", created_at=created_at)
        for n in range(MESSAGES_PER_CONVERSATION)
    )
