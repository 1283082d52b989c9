"""The Kubernetes API emulator (kmock) as a cluster: a kubeconfig pointing at it, objects loaded
as the API server would store them, and the real kubectl talking to it."""

import asyncio
import uuid

import yaml

from tests.support.chart import NAMESPACE, tool


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
