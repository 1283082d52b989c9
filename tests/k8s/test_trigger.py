"""Our trigger builds exactly the Job real kubectl builds, and creates it through the official
client against a Kubernetes API emulator (there is no API server on these machines)."""

import asyncio
import json

import pytest

from k8s.client import connect
from k8s.run_now import create_manual_job, job_from_cronjob, manual_job_name, read_cronjob
from tests.support.chart import NAMESPACE, cronjobs, render
from tests.support.kubernetes import kubectl, load_cronjob, write_kubeconfig


def test_a_manual_job_name_fits_in_a_label_value():
    name = manual_job_name("a" * 60, now=1764000000)

    assert len(name) <= 63 and name.endswith("-manual-1764000000")
    assert name.startswith("a" * 45)


@pytest.mark.asyncio
async def test_it_builds_the_job_kubectl_builds(kmock, tmp_path):
    kmock.resources.load_bundled()
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, kmock.url)
    cronjob = cronjobs(render())["cronsuite-housekeeping"]
    load_cronjob(kmock, cronjob)

    by_kubectl = json.loads(
        await kubectl(
            kubeconfig,
            "create",
            "job",
            "hk-now",
            "--from=cronjob/cronsuite-housekeeping",
            "--dry-run=client",
            "-o",
            "json",
        )
    )
    ours = job_from_cronjob(cronjob, "hk-now")

    # kubectl serialises Go zero values (status, creationTimestamp, resources) that mean nothing.
    by_kubectl.pop("status", None)
    for kubectl_container in by_kubectl["spec"]["template"]["spec"]["containers"]:
        if kubectl_container.get("resources") == {}:
            del kubectl_container["resources"]
    by_kubectl["metadata"].pop("creationTimestamp", None)
    by_kubectl["spec"]["template"]["metadata"].pop("creationTimestamp", None)
    ours["spec"]["template"]["metadata"].pop("creationTimestamp", None)
    assert ours == by_kubectl


@pytest.mark.asyncio
async def test_it_creates_the_job_in_the_cluster_saying_who_started_it(kmock, tmp_path):
    kmock.resources.load_bundled()
    cronjob = cronjobs(render())["cronsuite-statistics"]
    uid = load_cronjob(kmock, cronjob)
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, kmock.url)
    cluster = connect(str(kubeconfig))

    live = await asyncio.to_thread(read_cronjob, cluster, NAMESPACE, "cronsuite-statistics")
    created = await asyncio.to_thread(create_manual_job, cluster, NAMESPACE, live, "olga", 1.7e9)

    name = "cronsuite-statistics-manual-1700000000"
    stored = dict(kmock.objects["batch/v1/jobs", NAMESPACE, name])
    assert created["metadata"]["name"] == name
    # It should be the CronJob's manual Job...
    assert stored["metadata"]["ownerReferences"][0]["uid"] == uid
    assert stored["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    container = stored["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:2] == ["run", "housekeeping"]
    # ...telling the run, and `kubectl describe job`, who started it.
    assert {"name": "CRONSUITE_STARTED_BY", "value": "olga"} in container["env"]
    assert stored["metadata"]["annotations"]["cronsuite.io/started-by"] == "olga"
