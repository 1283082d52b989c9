"""`python -m jobs prune ENTRY | --all [--dry-run]`: the failed Jobs that keep KubeJobFailed
firing after a later run of their entry succeeded are deleted; kubectl reads what is left."""

import json

import pytest

from tests.support.operations import CRONJOBS, JOBS, call
from tests.support.pods import finished_job


def history(cluster) -> None:
    """statistics: failed, then succeeded, then failed again; housekeeping: failed only."""
    statistics = cluster.get(CRONJOBS, "cronsuite-statistics")
    housekeeping = cluster.get(CRONJOBS, "cronsuite-housekeeping")
    for cronjob, name, created, kind in [
        (statistics, "cronsuite-statistics-100", "2026-12-01T00:00:00Z", "Failed"),
        (statistics, "cronsuite-statistics-200", "2026-12-01T06:00:00Z", "Complete"),
        (statistics, "cronsuite-statistics-300", "2026-12-01T12:00:00Z", "Failed"),
        (statistics, "cronsuite-statistics-400", "2026-12-01T18:00:00Z", None),
        (housekeeping, "cronsuite-housekeeping-100", "2026-12-01T02:00:00Z", "Failed"),
    ]:
        cluster.load(JOBS, finished_job(cronjob, name, created, kind))


async def job_names(cluster) -> list[str]:
    listed = json.loads(await cluster.kubectl("get", "jobs", "-o", "json"))
    return sorted(job["metadata"]["name"] for job in listed["items"])


@pytest.mark.asyncio
async def test_it_deletes_only_failures_a_later_success_made_stale(cluster, kmock):
    history(cluster)

    answer = await cluster.cli("prune", "statistics")

    assert answer.code == 0, answer.err
    # It should keep the failure after the success, the running Job and other entries' Jobs.
    assert await job_names(cluster) == [
        "cronsuite-housekeeping-100",
        "cronsuite-statistics-200",
        "cronsuite-statistics-300",
        "cronsuite-statistics-400",
    ]
    assert answer.out.splitlines() == [
        "Deleted Job cronsuite-statistics-100 of statistics: failed, and",
        "cronsuite-statistics-200 succeeded after it.",
        "Deleted 1 failed Job of 1 entry in namespace jobs.",
    ]
    # It should delete as kubectl does, the pods going with their Job.
    (delete,) = [r for r in kmock if r.method == "DELETE"]
    assert delete.params["propagationPolicy"] == "Background"


@pytest.mark.asyncio
async def test_a_dry_run_says_what_it_would_delete_and_deletes_nothing(cluster):
    history(cluster)

    answer = await cluster.cli("prune", "--all", "--dry-run")

    assert answer.code == 0, answer.err
    assert len(await job_names(cluster)) == 5
    assert answer.out.startswith("Would delete Job cronsuite-statistics-100 of statistics")
    assert answer.out.endswith("Would delete 1 failed Job of 1 entry in namespace jobs.\n")


@pytest.mark.asyncio
async def test_with_nothing_stale_it_says_so(cluster):
    answer = await cluster.cli("prune", "--all")

    assert answer.code == 0, answer.err
    assert answer.out == (
        "Nothing to prune in namespace jobs: no failed Job has a later success.\n"
    )


def test_prune_needs_a_cluster():
    answer = call("prune", "--all", "--local")

    assert answer.code == 2
    assert "prune deletes failed Kubernetes Jobs and needs a cluster" in answer.err
