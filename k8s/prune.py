"""Delete an entry's failed Jobs once a later run of it succeeded.

A CronJob keeps `failedJobsHistoryLimit` failed Jobs for people to inspect, and
kube-state-metrics reports each as failed for as long as it exists: kubernetes-mixin's
`KubeJobFailed` keeps firing after the entry has recovered. A failed Job older than the entry's
latest successful Job tells nothing new; a failure after it, or with no success yet, is kept.
"""

from dataclasses import dataclass

from k8s.client import Cluster
from k8s.cronjobs import entry_of, selector


@dataclass(frozen=True)
class Finished:
    name: str
    entry: str
    created: str  # RFC 3339 in UTC: compares as text
    succeeded: bool


@dataclass(frozen=True)
class Stale:
    failed: Finished
    succeeded_later: Finished


def finished(job: dict) -> Finished | None:
    """A Job the controller called Complete or Failed; None while it runs."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return Finished(
                name=job["metadata"]["name"],
                entry=entry_of(job),
                created=job["metadata"]["creationTimestamp"],
                succeeded=condition["type"] == "Complete",
            )
    return None


def stale(jobs: list[dict]) -> list[Stale]:
    """Each failed Job created before its entry's latest successful one, oldest first."""
    done = sorted(filter(None, map(finished, jobs)), key=lambda f: f.created)
    latest_success = {f.entry: f for f in done if f.succeeded}
    return [
        Stale(f, latest_success[f.entry])
        for f in done
        if not f.succeeded and f.entry in latest_success
        if f.created < latest_success[f.entry].created
    ]


def list_jobs(
    cluster: Cluster, namespace: str, release: str | None, entry: str | None
) -> list[dict]:
    found = cluster.call(
        "list",
        "jobs",
        namespace,
        cluster.batch.list_namespaced_job,
        namespace,
        label_selector=selector(release, entry),
    )
    return found.get("items") or []


def delete_job(cluster: Cluster, namespace: str, name: str) -> None:
    # Background, as kubectl deletes: the garbage collector then deletes the Job's pods.
    cluster.call(
        "delete",
        "jobs",
        namespace,
        cluster.batch.delete_namespaced_job,
        name,
        namespace,
        propagation_policy="Background",
    )
