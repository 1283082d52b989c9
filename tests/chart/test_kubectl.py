"""`kubectl create job --from=cronjob/...` with the real kubectl against a Kubernetes API emulator.

kubectl sends protobuf for `create job --from` directly, which the emulator cannot read, so the
Job is built by kubectl client-side from the CronJob it fetched from the emulator
(`--dry-run=client -o json`) and then created with a second kubectl call, as the toolbox notes say.
"""

import asyncio
import json
import uuid

import kubernetes_validate
import pytest
import yaml

from tests.chart.conftest import NAMESPACE, container, cronjobs, render, tool

KUBERNETES_VERSIONS = ["1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0"]


async def kubectl(kubeconfig, *args, stdin: str | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        tool("kubectl"),
        "--kubeconfig",
        str(kubeconfig),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else None), 120)
    assert process.returncode == 0, f"kubectl {' '.join(args)}: {err.decode()}"
    return out.decode()


def write_kubeconfig(path, url) -> None:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "emulator", "cluster": {"server": str(url).rstrip("/")}}],
                "users": [{"name": "tester", "user": {"token": "not-checked"}}],
                "contexts": [
                    {
                        "name": "emulator",
                        "context": {
                            "cluster": "emulator",
                            "user": "tester",
                            "namespace": NAMESPACE,
                        },
                    }
                ],
                "current-context": "emulator",
            }
        )
    )


def load_cronjob(kmock, cronjob: dict) -> str:
    # What the API server would have added on `helm install`.
    uid = str(uuid.uuid4())
    cronjob["metadata"].update(
        namespace=NAMESPACE, uid=uid, creationTimestamp="2026-11-24T00:00:00Z", resourceVersion="1"
    )
    kmock.objects["batch/v1/cronjobs", NAMESPACE, cronjob["metadata"]["name"]] = cronjob
    return uid


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
