from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    """`python -m jobs schedule`'s memory in the database: the last fire of every entry."""

    name = "jobs.scheduler"
    label = "scheduler"
    verbose_name = "Local scheduler"
    default_auto_field = "django.db.models.BigAutoField"
