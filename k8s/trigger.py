"""Run an entry now: create the Job `kubectl create job --from=cronjob/NAME` creates (see
k8s/run_now.py), through a bounded call whose refusals name the verb and resource."""

from k8s.client import Cluster
from k8s.run_now import job_from_cronjob, manual_job_name


def create_manual_job(cluster: Cluster, namespace: str, cronjob: dict, now=None) -> dict:
    """Creates the Job from `cronjob` (as the API server returned it); returns it as stored."""
    job = job_from_cronjob(cronjob, manual_job_name(cronjob["metadata"]["name"], now))
    return cluster.call(
        "create", "jobs", namespace, cluster.batch.create_namespaced_job, namespace, job
    )
