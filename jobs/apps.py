from django.apps import AppConfig


class JobsConfig(AppConfig):
    """The Django app that runs jobs: the JobRun history, its admin, the web views and commands.

    Its label stays "runs", the label of the app the model was born in: the table (runs_jobrun),
    the migration history and the permissions (runs.run_now) of existing databases stay valid.
    """

    name = "jobs"
    label = "runs"
    verbose_name = "Job runs"
    default_auto_field = "django.db.models.BigAutoField"
