"""The scheduler's children: `python -m jobs run JOB ARGS`, one process per attempt, with the
environment the chart gives a pod, so the run records itself exactly as a CronJob's would.

Each child leads its own process group: Ctrl-C in a terminal reaches the scheduler only, which
then forwards SIGTERM to each child and gives it its grace, as the kubelet does.
"""

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jobs.scheduler.config import Planned

ROOT = Path(__file__).resolve().parents[2]
COMMAND = (sys.executable, "-m", "jobs", "run")
# Set by the chart for one pod (or by Kubernetes): never inherited from the scheduler's own.
PER_POD = (
    "CRONSUITE_ENTRY",
    "CRONSUITE_SCHEDULE",
    "CRONSUITE_TIMEZONE",
    "CRONSUITE_CRONJOB",
    "CRONSUITE_K8S_JOB",
    "CRONSUITE_STARTED_BY",
    "CRONSUITE_JOB_DEADLINE",
    "CRONSUITE_SCHEDULED_FOR",
    "JOB_TIMEOUT",
)


# The shell's exit codes for a command it cannot execute, and for one it cannot find.
NOT_STARTED_CODES = (126, 127)


class NotStarted(Exception):
    """The child could not even be started (fork or exec failed)."""


def child_environment(planned: Planned, due: datetime, base: dict[str, str]) -> dict[str, str]:
    """What a pod of the entry gets: the chart's `config` (here under the scheduler's own
    environment, which plays the Secret's part), the entry's `env`, which wins as a container's
    `env` wins over its `envFrom`, then what the chart sets on every pod of the entry."""
    inherited = {key: value for key, value in base.items() if key not in PER_POD}
    timing = planned.timing
    found = {
        **planned.config,
        **inherited,
        **planned.env,
        "CRONSUITE_ENTRY": planned.name,
        "CRONSUITE_SCHEDULE": timing.schedule,
        "CRONSUITE_TIMEZONE": timing.time_zone,
        "JOB_TIMEOUT": str(timing.timeout),
        "CRONSUITE_SCHEDULED_FOR": due.astimezone(UTC).isoformat(),
    }
    if timing.run_deadline is not None:
        found["CRONSUITE_JOB_DEADLINE"] = str(timing.run_deadline)
    return found


@dataclass
class Child:
    """One attempt of a run, as a process."""

    entry: str
    due: datetime
    attempt: int
    process: subprocess.Popen
    started: datetime
    terminated: datetime | None = None  # when SIGTERM was sent
    reason: str = ""  # why the scheduler stopped it: timeout, deadline, replaced, shutdown
    killed: bool = field(default=False)
    gated: bool = False  # started behind a Gate: a command that cannot run exits 126 or 127

    def not_started(self, code: int) -> bool:
        """Did the shell behind the gate fail to run the command (not found, not executable)?"""
        return self.gated and code in NOT_STARTED_CODES

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        """The exit code once the child has exited (128 + N when a signal N ended it)."""
        code = self.process.poll()
        return None if code is None else (128 - code if code < 0 else code)

    def terminate(self, now: datetime, reason: str) -> None:
        """SIGTERM, once; the grace starts now."""
        if self.terminated is None:
            self.terminated, self.reason = now, reason
            self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self.killed = True
        self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)  # the job and anything it started
        except ProcessLookupError:
            pass  # it has exited already; poll() will say how


class Gate:
    """The children of one fire wait behind it until all of them are started, then go together.

    A child that runs competes with the scheduler for the CPU: 200 Django processes starting at
    once leave the scheduler a 200th of the machine to start the others, and the last would start
    minutes late. Each child waits in `sh`, reading a pipe; closing the pipe releases them all at
    once (the kernel closes it too if the scheduler dies), and each becomes the job's process.
    """

    def __init__(self):
        self.read, self.write = os.pipe()

    def wrap(self, argv: list[str]) -> list[str]:
        """The command run by a shell that first waits on the gate, its standard input."""
        return ["/bin/sh", "-c", 'read -r _; exec "$@" </dev/null', "cronsuite-gate", *argv]

    def __enter__(self) -> "Gate":
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.write)  # every child waiting reads end-of-file: they go
        os.close(self.read)


def start(
    planned: Planned,
    due: datetime,
    attempt: int,
    now: datetime,
    command=COMMAND,
    gate: Gate | None = None,
) -> Child:
    """Start one attempt, behind the gate if there is one; NotStarted if it cannot be created."""
    argv = [*command, planned.entry.job, *planned.entry.args]
    try:
        process = subprocess.Popen(
            gate.wrap(argv) if gate else argv,
            cwd=ROOT,
            env=child_environment(planned, due, dict(os.environ)),
            stdin=gate.read if gate else subprocess.DEVNULL,
            process_group=0,
        )
    except OSError as e:
        raise NotStarted(f"{argv[0]}: {e.strerror or e}") from None
    return Child(planned.name, due, attempt, process, now, gated=gate is not None)
