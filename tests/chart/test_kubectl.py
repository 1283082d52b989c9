"""`kubectl create job --from=cronjob/...` with the real kubectl against a Kubernetes API emulator.

kubectl sends protobuf for `create job --from` directly, which the emulator cannot read, so the
Job is built by kubectl client-side from the CronJob it fetched from the emulator
(`--dry-run=client -o json`) and then created with a second kubectl call, as the toolbox notes say.
"""

import json

import kubernetes_validate
import pytest

from tests.support.chart import NAMESPACE, container, cronjobs, render
from tests.support.kubernetes import kubectl, load_cronjob, write_kubeconfig

KUBERNETES_VERSIONS = ["1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0"]


@pytest.mark.asyncio
async def test_a_job_created_from_each_cronjob_carries_the_contract(kmock, tmp_path):
    kmock.resources.load_bundled()
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, kmock.url)
    rendered = cronjobs(render())
    uids = {name: load_cronjob(kmock, cronjob) for name, cronjob in rendered.items()}

    for name, cronjob in rendered.items():
        job_name = f"{name}-manual-1"
        built = await kubectl(
            kubeconfig,
            "create",
            "job",
            job_name,
            f"--from=cronjob/{name}",
            "--dry-run=client",
            "-o",
            "json",
        )
        await kubectl(kubeconfig, "create", "--validate=false", "-f", "-", stdin=built)
        job = dict(kmock.objects["batch/v1/jobs", NAMESPACE, job_name])

        template = cronjob["spec"]["jobTemplate"]
        assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
        assert job["metadata"]["labels"] == template["metadata"]["labels"]
        assert job["metadata"]["labels"]["cronsuite.io/entry"] == name.removeprefix("cronsuite-")
        assert job["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": name,
                "uid": uids[name],
                "controller": True,
            }
        ]
        assert job["spec"]["podFailurePolicy"] == template["spec"]["podFailurePolicy"]
        assert job["spec"]["activeDeadlineSeconds"] == template["spec"]["activeDeadlineSeconds"]
        assert (
            job["spec"]["template"]["metadata"]["labels"]
            == template["spec"]["template"]["metadata"]["labels"]
        )
        (job_container,) = job["spec"]["template"]["spec"]["containers"]
        assert job_container["args"] == container(cronjob)["args"]
        assert job_container["env"] == container(cronjob)["env"]
        # The downward API then gives the pod this Job's name: not <cronjob>-<minutes>, so `manual`.
        assert not job_name.removeprefix(f"{name}-").isdigit()
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(json.loads(built), version, strict=True)
