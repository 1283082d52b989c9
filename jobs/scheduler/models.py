from django.db import models


class EntrySchedule(models.Model):
    """The last due time the local scheduler fired for an entry: a CronJob's
    `status.lastScheduleTime`. Moved forward only by an update that checks the old value, so two
    schedulers can never both fire one due time (healthchecks' optimistic lock), and a scheduler
    that starts or takes over knows what was fired before it."""

    entry = models.CharField(max_length=63, unique=True)
    last_schedule_time = models.DateTimeField()
    fired_by = models.CharField(max_length=253, blank=True, help_text="Host and process id.")

    def __str__(self):
        return f"{self.entry} {self.last_schedule_time:%Y-%m-%d %H:%M}"
