"""The Kubernetes API emulator (kmock) as a cluster: a kubeconfig pointing at it, objects loaded
as the API server would store them, and the real kubectl talking to it."""

import asyncio
import uuid

import yaml
from kmock import action as kmock_action

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


def load_object(kmock, resource: str, obj: dict) -> dict:
    """An object as the API server stores it (uid, creationTimestamp, resourceVersion)."""
    obj["metadata"].setdefault("namespace", NAMESPACE)
    obj["metadata"].setdefault("uid", str(uuid.uuid4()))
    obj["metadata"].setdefault("creationTimestamp", "2026-11-24T00:00:00Z")
    obj["metadata"].setdefault("resourceVersion", "1")
    kmock.objects[resource, obj["metadata"]["namespace"], obj["metadata"]["name"]] = obj
    return obj


def selected(labels: dict, selector: str | None) -> bool:
    """An equality-based label selector, as the API server reads it: `a`, `!a`, `a=b`, `a!=b`."""
    for term in filter(None, (selector or "").split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            ok = labels.get(key) != value
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            ok = labels.get(key) == value
        elif term.startswith("!"):
            ok = term[1:] not in labels
        else:
            ok = term in labels
        if not ok:
            return False
    return True


def serve_lists(kmock) -> None:
    """Lists as the API server answers them: filtered by labelSelector (kmock ignores it) and
    with the `kind: <Kind>List` and `apiVersion` that kubectl needs to read them."""

    def listing(request):
        info = kmock.resources[request.resource]
        group = request.resource.group
        items = [
            obj.raw
            for (resource, namespace, _), obj in kmock.objects.items()
            if resource == request.resource
            and not obj.deleted
            and request.namespace in (None, namespace)
            and selected(
                obj.raw["metadata"].get("labels") or {}, request.params.get("labelSelector")
            )
        ]
        return {
            "apiVersion": f"{group}/{request.resource.version}" if group else "v1",
            "kind": f"{info.kind}List",
            "metadata": {"resourceVersion": "1"},
            "items": items,
        }

    def object_list(request) -> bool:  # not discovery (/apis/GROUP/VERSION looks alike)
        listing_action = request.action == kmock_action.LIST
        return listing_action and bool(request.resource and request.resource.plural)

    kmock[object_list] << listing


def serve_as_helm_needs(kmock, version: str = "1.33") -> None:
    """What the real helm needs of the emulator beyond kubectl: a server version the chart's
    kubeVersion accepts, and the core group's discovery as `v1` (kmock says `/v1`, which helm
    cannot map to Secret or ConfigMap)."""
    major, minor = version.split(".")
    kmock["get /version"] << {
        "major": major,
        "minor": minor,
        "gitVersion": f"v{version}.0",
        "platform": "linux/amd64",
    }

    def core_group(request):
        return {
            "apiVersion": "v1",
            "kind": "APIResourceList",
            "groupVersion": "v1",
            "resources": [
                {
                    "name": resource.plural,
                    "kind": info.kind,
                    "singularName": info.singular or "",
                    "namespaced": bool(info.namespaced),
                    "verbs": sorted(info.verbs),
                }
                for resource, info in kmock.resources.items()
                if resource.group == "" and resource.version == "v1"
            ],
        }

    kmock["get /api/v1"] << core_group
