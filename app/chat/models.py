from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    # DB_CASCADE lets the database delete a conversation's messages in the same statement:
    # no rows loaded into Python, no window in which messages outlive their conversation.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.title or f"Conversation {self.pk}"


class Message(models.Model):
    # A message without a conversation is orphaned: imports and legacy rows can leave some,
    # and the housekeeping "messages" task removes them.
    conversation = models.ForeignKey(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.DB_CASCADE,
        related_name="messages",
    )
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"Message {self.pk}"


class StatisticsSnapshot(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    total_users = models.PositiveIntegerField()
    total_conversations = models.PositiveIntegerField()
    total_messages = models.PositiveIntegerField()
    messages_last_24h = models.PositiveIntegerField()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def as_dict(self) -> dict:
        return {
            "total_users": self.total_users,
            "total_conversations": self.total_conversations,
            "total_messages": self.total_messages,
            "messages_last_24h": self.messages_last_24h,
        }
