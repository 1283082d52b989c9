"""`python -m jobs schedule` as the scheduler's tests run it: in a subprocess against the test
database, on the test's own entries only, with a clock the test sets, and every line it and its
children print collected as they come."""

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import yaml

from jobs.entries import load_values
from tests.support.processes import ROOT, free_port, job_environment, wait_until

JOB_MODULES = "tests.support.jobs,tests.support.scheduled_jobs"


def values_file(folder: Path, entries: dict, name: str = "values.yaml", **top) -> Path:
    """An override file holding these entries, every entry of the chart's values disabled."""
    jobs = {entry: {"enabled": False} for entry in load_values().get("jobs") or {}}
    jobs.update(entries)
    path = folder / name
    path.write_text(yaml.safe_dump({**top, "jobs": jobs}))
    return path


class TestClock:
    """The time the scheduler reads (SCHEDULER_TEST_CLOCK_FILE); it runs on in real time from
    each `set`."""

    __test__ = False  # not a test class, whatever its name says to pytest

    def __init__(self, folder: Path):
        self.path = folder / "clock"

    def set(self, when: datetime) -> None:
        # Written aside, then renamed: the scheduler never reads a half-written file.
        aside = self.path.with_suffix(".new")
        aside.write_text(when.isoformat())
        os.replace(aside, self.path)


class SchedulerProcess:
    """One `python -m jobs schedule --values FILE`, its lines read by a thread."""

    def __init__(self, values: Path, clock: TestClock, *extra: str, **env):
        self.values = values  # rewrite it, then SIGHUP, to reload
        self.port = free_port()
        environment = job_environment(
            JOB_MODULES=JOB_MODULES,
            SCHEDULER_TEST_CLOCK_FILE=clock.path,
            SCHEDULER_METRICS_PORT=self.port,
            **env,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jobs", "schedule", "--values", str(values), *extra],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: list[dict] = []
        self.text: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for raw in self.process.stdout:
            line = raw.decode(errors="replace")
            self.text.append(line)
            if line.startswith("{"):
                self.lines.append(json.loads(line))

    def events(self, event: str, **fields) -> list[dict]:
        """The lines of this event whose fields have these values."""
        return [
            line
            for line in list(self.lines)
            if line["event"] == event and all(line.get(k) == v for k, v in fields.items())
        ]

    # A guard against a hang, not a speed target: on a loaded 2-core machine a child's start
    # (python, Django, its first query) took over 30 s, and the tests failed for that alone.
    def wait_for(self, event: str, count: int = 1, timeout: float = 120, **fields) -> list[dict]:
        def enough():
            if self.process.poll() is not None and len(self.events(event, **fields)) < count:
                raise AssertionError(f"scheduler exited ({self.process.returncode}):\n{self.log}")
            return len(self.events(event, **fields)) >= count

        wait_until(enough, timeout, message=f"{count} {event} {fields}:\n{self.log}")
        return self.events(event, **fields)

    @property
    def log(self) -> str:
        return "".join(self.text[-60:])

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then the exit code once it has stopped."""
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self.reader.join(10)
        return code

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def run_schedule(*args: str, timeout: float = 60, **env) -> subprocess.CompletedProcess:
    """`python -m jobs schedule ARGS` expected to stop at start (a bad values file)."""
    return subprocess.run(
        [sys.executable, "-m", "jobs", "schedule", *args],
        cwd=ROOT,
        env=job_environment(**{"JOB_MODULES": JOB_MODULES, "SCHEDULER_METRICS_PORT": 0, **env}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Schedulers:
    """Every scheduler a test starts, stopped at the end whatever happened, with the children a
    SIGKILLed one left behind."""

    def __init__(self, folder: Path, clock: TestClock):
        self.folder, self.clock = folder, clock
        self.started: list[SchedulerProcess] = []

    def start(self, entries: dict, *extra: str, **env) -> SchedulerProcess:
        values = values_file(self.folder, entries, name=f"values-{len(self.started)}.yaml")
        scheduler = SchedulerProcess(values, self.clock, *extra, **env)
        self.started.append(scheduler)
        return scheduler

    def stop_all(self) -> None:
        for scheduler in self.started:
            try:
                scheduler.stop(timeout=60)  # its lock released before the next test wants it
            except subprocess.TimeoutExpired:
                scheduler.kill()
            for fired in scheduler.events("scheduler.fired"):
                try:
                    os.killpg(fired["pid"], signal.SIGKILL)
                except ProcessLookupError:
                    pass
