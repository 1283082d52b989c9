"""Run now from the dashboard or the API: the entry started outside its schedule, recorded as a
`manual` run under a name the answer gives to follow it by, and who pressed it in the admin's
log (a LogEntry on Job runs, whose object is that name).

In a cluster it is a Job created from the entry's CronJob as `kubectl create job --from` does
(k8s/run_now.py); the Job's name is what the run records as its `kubernetes_job`, and the
runtime records any such Job as `manual` (jobs/runtime/origin.py). On one machine it is
`python -m jobs run` in the background, given a name of the same shape in CRONSUITE_K8S_JOB, so
the runtime records it `manual` under that name too, as it would record the Job."""

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType

from jobs.models import JobRun
from jobs.web.sources import BoardEntry

# Kubernetes object names (and label values, where the Job's name is copied) stop at 63.
MAX_NAME = 63


@dataclass(frozen=True)
class Started:
    entry: str
    name: str  # the run's kubernetes_job: the Job's name, or the local run's
    where: str  # "as Job NAME from CronJob NAME" or "on this machine (process N)"

    @property
    def sentence(self) -> str:
        return f"Started {self.entry} {self.where}; its run is recorded as {self.name}."


def start(entry: BoardEntry, user) -> Started:
    started = in_cluster(entry) if settings.CRONSUITE_CRONJOB_PREFIX else on_this_machine(entry)
    record(started, entry, user)
    return started


def in_cluster(entry: BoardEntry) -> Started:
    from k8s.client import connect, require
    from k8s.run_now import manual_job_name, run_now

    cluster = require(connect())
    namespace = settings.CRONSUITE_NAMESPACE or cluster.namespace
    job = run_now(cluster.batch, namespace, entry.cronjob, manual_job_name(entry.cronjob))
    name = job["metadata"]["name"]
    return Started(entry.name, name, f"as Job {name} from CronJob {entry.cronjob}")


def local_name(entry: str) -> str:
    # Seconds, as kubectl's names, and a random tail: two presses in one second differ.
    suffix = f"-manual-{int(time.time())}-{secrets.token_hex(2)}"
    return entry[: MAX_NAME - len(suffix)].rstrip("-") + suffix


def on_this_machine(entry: BoardEntry) -> Started:
    name = local_name(entry.name)
    # The child reads its own settings from the environment the web app has, plus what the
    # chart would give the entry's pod.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CRONSUITE_")}
    environment = {
        **inherited,
        "CRONSUITE_ENTRY": entry.name,
        "CRONSUITE_K8S_JOB": name,
        "CRONSUITE_SCHEDULE": entry.schedule,
        "CRONSUITE_TIMEZONE": entry.time_zone,
        "JOB_TIMEOUT": str(entry.timeout_seconds),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "run", entry.job, *entry.args],
        cwd=settings.BASE_DIR,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the request, and is not killed with the web worker
    )
    return Started(entry.name, name, f"on this machine (process {process.pid})")


def record(started: Started, entry: BoardEntry, user) -> None:
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(JobRun),
        object_repr=started.name,
        action_flag=ADDITION,
        change_message=f"Run now: {entry.name} ({entry.command}), {started.where}.",
    )


def pressed_by(run: JobRun):
    """Who pressed Run now for this run, from the admin's log; None for any other run."""
    if not run.kubernetes_job:
        return None
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(JobRun),
            object_repr=run.kubernetes_job,
            action_flag=ADDITION,
        )
        .select_related("user")
        .first()
    )
    return entry.user if entry else None
