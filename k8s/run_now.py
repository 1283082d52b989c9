"""Run a CronJob now, building the same Job `kubectl create job --from=cronjob/NAME` builds
(kubectl's createJobFromCronJob): the jobTemplate's labels, annotations and spec, the
`cronjob.kubernetes.io/instantiate: manual` annotation, and the CronJob as controlling owner.

The Job's name is not `<cronjob>-<minutes>`, so the run records itself as `manual`. Who started
it, when known, goes where the run can read it (CRONSUITE_STARTED_BY in each container) and
where `kubectl describe job` shows it (an annotation): kubectl itself records no one."""

import copy
import time

from k8s.client import Cluster

MANUAL_ANNOTATION = "cronjob.kubernetes.io/instantiate"
STARTED_BY_ANNOTATION = "cronsuite.io/started-by"
STARTED_BY_VARIABLE = "CRONSUITE_STARTED_BY"
# Kubernetes object names are at most 63 characters in labels (job-name is copied into one).
MAX_JOB_NAME = 63


def manual_job_name(cronjob_name: str, now: float | None = None) -> str:
    suffix = f"-manual-{int(now if now is not None else time.time())}"
    return cronjob_name[: MAX_JOB_NAME - len(suffix)].rstrip("-") + suffix


def create_manual_job(
    cluster: Cluster, namespace: str, cronjob: dict, started_by: str = "", now=None
) -> dict:
    """Creates the Job from `cronjob` (as the API server returned it), through a bounded call
    whose refusals name the verb and resource; returns the Job as stored."""
    job = job_from_cronjob(cronjob, manual_job_name(cronjob["metadata"]["name"], now), started_by)
    return cluster.call(
        "create", "jobs", namespace, cluster.batch.create_namespaced_job, namespace, job
    )


def read_cronjob(cluster: Cluster, namespace: str, name: str) -> dict:
    return cluster.call(
        "get", "cronjobs", namespace, cluster.batch.read_namespaced_cron_job, name, namespace
    )


def job_from_cronjob(cronjob: dict, job_name: str, started_by: str = "") -> dict:
    template = copy.deepcopy(cronjob["spec"]["jobTemplate"])
    metadata = template.get("metadata") or {}
    annotations = {**(metadata.get("annotations") or {}), MANUAL_ANNOTATION: "manual"}
    if started_by:
        annotations[STARTED_BY_ANNOTATION] = started_by
        tell_containers(template["spec"]["template"]["spec"], started_by)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name,
            "labels": metadata.get("labels") or {},
            "annotations": annotations,
            "ownerReferences": [
                {
                    "apiVersion": "batch/v1",
                    "kind": "CronJob",
                    "name": cronjob["metadata"]["name"],
                    "uid": cronjob["metadata"]["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": template["spec"],
    }


def tell_containers(pod: dict, started_by: str) -> None:
    for container in pod.get("containers") or []:
        others = [v for v in container.get("env") or [] if v.get("name") != STARTED_BY_VARIABLE]
        container["env"] = [*others, {"name": STARTED_BY_VARIABLE, "value": started_by}]
