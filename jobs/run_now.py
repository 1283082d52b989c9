"""Run now: one schedule entry started outside its schedule, the one way the dashboard, the API
and `python -m jobs trigger` do it. The run records `trigger=manual`, the name the answer gives
to follow it by, and who started it (`started_by`).

In a cluster it is a Job created from the entry's CronJob as `kubectl create job --from` does
(k8s/run_now.py); the Job's name is what the run records as its `kubernetes_job`, and the
runtime records any such Job as `manual` (jobs/runtime/origin.py). On one machine it is
`python -m jobs run` in the background, given a name of the same shape in CRONSUITE_K8S_JOB and
the environment the chart would give the entry's pod, so it records itself the same way."""

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass

from django.conf import settings

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


def start(entry: BoardEntry, started_by: str) -> Started:
    if settings.CRONSUITE_CRONJOB_PREFIX:
        return in_cluster(entry, started_by)
    return on_this_machine(entry, started_by)


def in_cluster(entry: BoardEntry, started_by: str) -> Started:
    from k8s.client import connect, require
    from k8s.run_now import create_manual_job, read_cronjob

    cluster = require(connect())
    namespace = settings.CRONSUITE_NAMESPACE or cluster.namespace
    cronjob = read_cronjob(cluster, namespace, entry.cronjob)
    name = create_manual_job(cluster, namespace, cronjob, started_by)["metadata"]["name"]
    return Started(entry.name, name, f"as Job {name} from CronJob {entry.cronjob}")


def on_this_machine(entry: BoardEntry, started_by: str) -> Started:
    name = local_name(entry.name)
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "run", entry.job, *entry.args],
        cwd=settings.BASE_DIR,
        env=manual_environment(entry, name, started_by),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the request, and is not killed with the web worker
    )
    return Started(entry.name, name, f"on this machine (process {process.pid})")


def local_name(entry: str) -> str:
    # Seconds, as kubectl's names, and a random tail: two presses in one second differ.
    suffix = f"-manual-{int(time.time())}-{secrets.token_hex(2)}"
    return entry[: MAX_NAME - len(suffix)].rstrip("-") + suffix


def manual_environment(entry: BoardEntry, name: str, started_by: str) -> dict[str, str]:
    """This process's environment (the child reads its settings from it, as the web app does),
    with what the chart would give the entry's pod in place of any CRONSUITE_ value of ours."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CRONSUITE_")}
    return {
        **inherited,
        "CRONSUITE_ENTRY": entry.name,
        "CRONSUITE_K8S_JOB": name,
        "CRONSUITE_STARTED_BY": started_by,
        "CRONSUITE_SCHEDULE": entry.schedule,
        "CRONSUITE_TIMEZONE": entry.time_zone,
        "JOB_TIMEOUT": str(entry.timeout_seconds),
    }
