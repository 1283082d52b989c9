from django.contrib import admin
from django.db.models import Count

from app.timetable.models import Group, Slot


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "slot_count", "updated_at"]
    search_fields = ["code", "name"]
    inlines = [SlotInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(slot_count=Count("slots"))

    @admin.display(ordering="slot_count")
    def slot_count(self, group):
        return group.slot_count


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["group", "weekday", "starts_at", "ends_at", "subject", "room", "teacher"]
    list_filter = ["weekday"]
    search_fields = ["group__code", "subject", "teacher", "room"]
    list_select_related = ["group"]
