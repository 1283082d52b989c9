"""Records copied from an external service by the sync-external-data job
(jobs/catalog/sync_external_data.py, docs/jobs/sync-external-data.md)."""

from django.db import models
from django.utils import timezone


class ExternalRecord(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=50, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    # Set when the row is created or its data changes, never by a run that changed nothing.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["external_id"]

    def __str__(self):
        return self.external_id
