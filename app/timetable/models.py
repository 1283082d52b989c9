"""Groups (classes of students) and their weekly timetable, refreshed from the timetable feed
by POST /api/groups/update (app/timetable/sync.py, docs/jobs/sync-timetable.md)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Group(models.Model):
    # The feed's identifier: a group keeps its row (and its admin history) across refreshes.
    code = models.CharField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Slot(models.Model):
    """One weekly lesson: every <weekday> from <starts_at> to <ends_at> (local wall-clock time)."""

    class Weekday(models.IntegerChoices):  # ISO 8601 numbering
        MONDAY = 1
        TUESDAY = 2
        WEDNESDAY = 3
        THURSDAY = 4
        FRIDAY = 5
        SATURDAY = 6
        SUNDAY = 7

    group = models.ForeignKey(Group, on_delete=models.DB_CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    subject = models.CharField(max_length=200)
    room = models.CharField(max_length=50, blank=True)
    teacher = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["group", "weekday", "starts_at"]
        constraints = [
            # A slot is identified by its group, day and start: the refresh diffs on that key.
            models.UniqueConstraint(
                fields=["group", "weekday", "starts_at"], name="timetable_slot_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="timetable_slot_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="timetable_slot_iso_weekday"
            ),
        ]

    def __str__(self):
        return f"{self.group} {self.get_weekday_display()} {self.starts_at:%H:%M} {self.subject}"
