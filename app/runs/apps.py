from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "app.runs"
    label = "runs"
    verbose_name = "Job runs"
