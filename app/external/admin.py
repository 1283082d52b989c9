from django.contrib import admin

from app.external.models import ExternalRecord


@admin.register(ExternalRecord)
class ExternalRecordAdmin(admin.ModelAdmin):
    list_display = ["external_id", "name", "status", "source_updated_at", "changed_at"]
    list_filter = ["status"]
    search_fields = ["external_id", "name"]
    readonly_fields = ["changed_at"]
