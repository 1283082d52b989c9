from django.db import models
from django.utils import timezone

from jobs.runtime.vocabulary import Status, Trigger


class JobRun(models.Model):
    """One run of one job: the history people browse in the admin and the daily report."""

    # The vocabulary lives in jobs/runtime/vocabulary.py; these names keep JobRun.Status working.
    Status = Status
    Trigger = Trigger

    job = models.CharField(max_length=63)
    entry = models.CharField(max_length=63, help_text="The schedule entry (CronJob) it ran for.")
    arguments = models.JSONField(default=dict, blank=True, help_text="The job's options.")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    kubernetes_job = models.CharField(max_length=63, blank=True)
    started_by = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who started a manual run: the user who pressed Run now, or user@host of "
        "`python -m jobs trigger`.",
    )
    host = models.CharField(max_length=253, blank=True, help_text="Pod or host that ran it.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    exit_code = models.SmallIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    traceback = models.TextField(
        blank=True, help_text="The traceback of an unexpected error, secrets masked, its end kept."
    )

    class Meta:
        ordering = ["-started_at"]
        permissions = [("run_now", "Can start a schedule entry now")]
        indexes = [
            models.Index(fields=["job", "-started_at"]),
            models.Index(fields=["entry", "-started_at"]),
            models.Index(fields=["started_at"]),
            # The dashboard's last success of each entry, however long it has failed since.
            models.Index(fields=["entry", "status", "-started_at"]),
            # The run list filtered by status (failed, say), newest first, at any history size.
            models.Index(fields=["status", "-started_at"]),
        ]

    def __str__(self):
        return f"{self.entry} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SuspensionRecord(models.Model):
    """Who suspended or resumed a schedule entry, when, why and where: the audit record of
    `python -m jobs suspend|resume`. On one machine the latest record of an entry is also the
    flag the local scheduler honours (jobs/suspensions.py); in a cluster the CronJob's
    `spec.suspend` is, and the record says who changed it."""

    entry = models.CharField(max_length=63)
    suspended = models.BooleanField(help_text="Suspended (true) or resumed (false).")
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)
    location = models.CharField(
        max_length=320,
        blank=True,
        help_text="namespace/CronJob in a cluster; empty on this machine.",
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["entry", "location", "-changed_at"])]

    def __str__(self):
        action = "suspended" if self.suspended else "resumed"
        return f"{self.entry} {action} by {self.changed_by} {self.changed_at:%Y-%m-%d %H:%M}"
