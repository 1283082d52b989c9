"""Run a CronJob now, building the same Job `kubectl create job --from=cronjob/NAME` builds
(kubectl's createJobFromCronJob): the jobTemplate's labels, annotations and spec, the
`cronjob.kubernetes.io/instantiate: manual` annotation, and the CronJob as controlling owner.

The Job's name is not `<cronjob>-<minutes>`, so the run records itself as `manual`."""

import copy
import json
import time

from kubernetes import client, config

MANUAL_ANNOTATION = "cronjob.kubernetes.io/instantiate"
# Kubernetes object names are at most 63 characters in labels (job-name is copied into one).
MAX_JOB_NAME = 63
REQUEST_TIMEOUT = 10


def manual_job_name(cronjob_name: str, now: float | None = None) -> str:
    suffix = f"-manual-{int(now if now is not None else time.time())}"
    return cronjob_name[: MAX_JOB_NAME - len(suffix)].rstrip("-") + suffix


def job_from_cronjob(cronjob: dict, job_name: str) -> dict:
    template = copy.deepcopy(cronjob["spec"]["jobTemplate"])
    metadata = template.get("metadata") or {}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name,
            "labels": metadata.get("labels") or {},
            "annotations": {**(metadata.get("annotations") or {}), MANUAL_ANNOTATION: "manual"},
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


def batch_api() -> client.BatchV1Api:
    """In a pod, the service account; elsewhere, the kubeconfig (KUBECONFIG or ~/.kube/config)."""
    try:
        config.load_incluster_config()
    except config.ConfigException:
        config.load_kube_config()
    return client.BatchV1Api()


def run_now(
    api: client.BatchV1Api, namespace: str, cronjob_name: str, job_name: str | None = None
) -> dict:
    response = api.read_namespaced_cron_job(
        cronjob_name, namespace, _preload_content=False, _request_timeout=REQUEST_TIMEOUT
    )
    cronjob = json.loads(response.data)
    job = job_from_cronjob(cronjob, job_name or manual_job_name(cronjob_name))
    created = api.create_namespaced_job(
        namespace, job, _preload_content=False, _request_timeout=REQUEST_TIMEOUT
    )
    return json.loads(created.data)
