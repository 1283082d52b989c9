from django.contrib import admin
from django.db.models import Count

from app.chat.models import Conversation, StatisticsSnapshot


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "owner", "created_at", "message_count"]
    list_filter = ["created_at"]
    search_fields = ["title", "owner__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["owner"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_count=Count("messages"))

    @admin.display(ordering="message_count")
    def message_count(self, conversation):
        return conversation.message_count


@admin.register(StatisticsSnapshot)
class StatisticsSnapshotAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "total_users",
        "total_conversations",
        "total_messages",
        "messages_last_24h",
    ]
    date_hierarchy = "created_at"

    # A snapshot is what housekeeping measured at a moment: a record, never written by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
