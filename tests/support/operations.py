"""The operator verbs as tests use them: a cluster emulated by kmock holding the chart's CronJobs
as the real helm renders them, and `python -m jobs` called in-process (in a thread: the
emulator serves from the test's event loop) or as a process, as a person runs it."""

import asyncio
import copy
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from jobs.runtime import cli
from tests.support.chart import NAMESPACE, cronjobs, render
from tests.support.kubernetes import kubectl, load_object, serve_lists, write_kubeconfig

CRONJOBS = "batch/v1/cronjobs"
JOBS = "batch/v1/jobs"
PODS = "v1/pods"


@dataclass
class Answer:
    code: int
    out: str
    err: str


def call(*argv: str) -> Answer:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return Answer(code, out.getvalue(), err.getvalue())


async def in_thread(function, *args, **kwargs):
    """`function` (the ORM, say) away from the event loop, its connection closed after."""

    def closing():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    return await asyncio.to_thread(closing)


@functools.cache
def _rendered() -> dict[str, dict]:
    return cronjobs(render())


def rendered_cronjobs() -> dict[str, dict]:
    """The chart's CronJobs by name (rendered once per session, copied for each test)."""
    return copy.deepcopy(_rendered())


@dataclass
class EmulatedCluster:
    kmock: object
    kubeconfig: Path

    async def cli(self, *argv: str) -> Answer:
        """`python -m jobs ARGV --kubeconfig ...` against the emulator."""
        return await asyncio.to_thread(call, *argv, "--kubeconfig", str(self.kubeconfig))

    async def kubectl(self, *args: str, stdin: str | None = None) -> str:
        return await kubectl(self.kubeconfig, *args, stdin=stdin)

    def get(self, resource: str, name: str) -> dict:
        return self.kmock.objects[resource, NAMESPACE, name].raw

    def has(self, resource: str, name: str) -> bool:
        key = (resource, NAMESPACE, name)
        return key in self.kmock.objects and not self.kmock.objects[key].deleted

    def load(self, resource: str, obj: dict) -> dict:
        return load_object(self.kmock, resource, obj)

    def patch(self, resource: str, name: str, changes: dict) -> None:
        """What a controller or the kubelet would change (kmock runs none)."""
        self.kmock.objects[resource, NAMESPACE, name].patch(changes)


def emulate(kmock, tmp_path: Path, names: list[str] | None = None) -> EmulatedCluster:
    """The emulator with the chart's CronJobs loaded (all, or those named) and a kubeconfig."""
    kmock.resources.load_bundled()
    serve_lists(kmock)
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, kmock.url)
    cluster = EmulatedCluster(kmock, kubeconfig)
    for name, cronjob in rendered_cronjobs().items():
        if names is None or name in names:
            cluster.load(CRONJOBS, cronjob)
    return cluster
