"""The operator verbs as tests use them: a cluster emulated by kmock holding the chart's CronJobs
as the real helm renders them, and `python -m jobs` called in-process (in a thread: the
emulator serves from the test's event loop) or as a process, as a person runs it."""

import asyncio
import copy
import functools
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from jobs.runtime import cli
from tests.support.chart import NAMESPACE, cronjobs, render
from tests.support.kubernetes import kubectl, load_object, serve_lists, write_kubeconfig
from tests.support.processes import ROOT, job_environment

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


async def eventually(condition, timeout: float = 30, message: str = "condition"):
    """Polls `condition` without blocking the event loop (the emulator serves from it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if result := condition():
            return result
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


class CommandLine:
    """`python -m jobs ARGV` as a person runs it, its stdout read line by line as it comes."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def start(cls, *argv: str, **env) -> "CommandLine":
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "jobs",
            *argv,
            cwd=ROOT,
            env=job_environment(**env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def line(self, timeout: float = 30) -> str:
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            stderr = (await self.process.stderr.read()).decode()
            raise AssertionError(f"the command ended before another line: {stderr}")
        return line.decode().rstrip("\n")

    async def finish(self, timeout: float = 60) -> Answer:
        out, err = await asyncio.wait_for(self.process.communicate(), timeout)
        return Answer(self.process.returncode, out.decode(), err.decode())


@dataclass
class EmulatedCluster:
    kmock: object
    kubeconfig: Path

    async def cli(self, *argv: str) -> Answer:
        """`python -m jobs ARGV --kubeconfig ...` against the emulator."""
        return await asyncio.to_thread(call, *argv, "--kubeconfig", str(self.kubeconfig))

    async def start(self, *argv: str) -> CommandLine:
        """`python -m jobs ARGV` as a process, KUBECONFIG naming the emulator."""
        return await CommandLine.start(*argv, KUBECONFIG=self.kubeconfig)

    async def kubectl(self, *args: str, stdin: str | None = None) -> str:
        return await kubectl(self.kubeconfig, *args, stdin=stdin)

    def get(self, resource: str, name: str) -> dict:
        return self.kmock.objects[resource, NAMESPACE, name].raw

    def has(self, resource: str, name: str) -> bool:
        return any(obj["metadata"]["name"] == name for obj in self.all(resource))

    def all(self, resource: str) -> list[dict]:
        found = self.kmock.objects.items()
        return [obj.raw for (kind, _, _), obj in found if kind == resource and not obj.deleted]

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
