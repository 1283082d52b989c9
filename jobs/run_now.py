"""Run now: start one schedule entry outside its schedule, the one way the admin and the API do.

In a cluster (CRONSUITE_CRONJOB_PREFIX set) it creates a Job from the entry's CronJob exactly as
`kubectl create job --from` does; on one machine it starts `python -m jobs run` in the background.
Either way the run takes the job's lock and records itself like any other.
"""

import os
import subprocess
import sys

from django.conf import settings

from jobs.entries import Entry


def start(entry: Entry) -> str:
    """Starts the entry; returns a sentence saying what was started."""
    if settings.CRONSUITE_CRONJOB_PREFIX:
        return start_in_cluster(entry)
    return start_locally(entry)


def start_in_cluster(entry: Entry) -> str:
    from k8s.run_now import batch_api, run_now

    cronjob = f"{settings.CRONSUITE_CRONJOB_PREFIX}{entry.name}"
    job = run_now(batch_api(), settings.CRONSUITE_NAMESPACE, cronjob)
    return f"Created Job {job['metadata']['name']} from CronJob {cronjob}."


def start_locally(entry: Entry) -> str:
    # Not a setting: the child reads its own settings from the same environment the web app has.
    environment = {**os.environ, "CRONSUITE_ENTRY": entry.name}
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "run", entry.job, *entry.args],
        cwd=settings.BASE_DIR,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the request, and is not killed with the web worker
    )
    return f"Started {entry.name} on this machine (process {process.pid}); see Job runs."
