"""Run now from the dashboard or the API: the entry started as jobs/run_now.py starts it, the
user's name recorded on the run, and an entry in the admin's log (a LogEntry on Job runs whose
object is the run's name), as every change made through the admin leaves one."""

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType

from jobs import run_now
from jobs.models import JobRun
from jobs.web.sources import BoardEntry


def start(entry: BoardEntry, user) -> run_now.Started:
    started = run_now.start(entry, started_by=user.get_username())
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(JobRun),
        object_repr=started.name,
        action_flag=ADDITION,
        change_message=f"Run now: {entry.name} ({entry.command}), {started.where}.",
    )
    return started
