"""Jobs run as a container runs them: `python -m jobs` in a subprocess against the test database,
read line by line, stopped with SIGTERM; and the small waiting and port helpers every test uses."""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, timeout: float = 15, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def database_url() -> str:
    """The test database (pytest-django has renamed it by now) as a DATABASE_URL."""
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"sqlite:///{db['NAME']}"
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[engine]
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"{scheme}://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]

    def events(self, name: str) -> list[dict]:
        return [line for line in self.lines if line["event"] == name]

    @property
    def summary(self) -> dict:
        (summary,) = self.events("run.finished")
        return summary


def job_environment(**overrides) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRONSUITE_")}
    env.update(
        DATABASE_URL=database_url(),
        LOG_FORMAT="json",
        PUSHGATEWAY_URL="",
        JOB_MODULES="tests.support.jobs",
        PYTHONPATH=str(ROOT),
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def start_job(*args: str, **env) -> subprocess.Popen:
    # Unbuffered bytes: select() then sees exactly what is unread, and nothing read line by line
    # is left in a buffer that communicate() would skip.
    return subprocess.Popen(
        [sys.executable, "-m", "jobs", *args],
        cwd=ROOT,
        env=job_environment(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )


def run_job(*args: str, timeout: float = 120, **env) -> Finished:
    return finish(start_job(*args, **env), [], timeout=timeout)


def wait_for_line(process: subprocess.Popen, event: str, timeout: float = 30) -> list[str]:
    """Read the job's stdout until a line with this event; returns the lines read so far."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # select, so a job that hangs without writing cannot block the test past its timeout.
        if not select.select([process.stdout], [], [], max(0, deadline - time.monotonic()))[0]:
            break
        line = process.stdout.readline().decode()
        if not line:
            stderr = process.stderr.read().decode()
            raise AssertionError(f"job exited before {event!r}: {''.join(seen)}{stderr}")
        seen.append(line)
        if line.startswith("{") and json.loads(line)["event"] == event:
            return seen
    raise AssertionError(f"no {event!r} line within {timeout} s")


def finish(process: subprocess.Popen, seen: list[str], timeout: float = 60) -> Finished:
    stdout, stderr = process.communicate(timeout=timeout)
    return Finished(process.returncode, "".join(seen) + stdout.decode(), stderr.decode())


def terminate(process: subprocess.Popen, seen: list[str]) -> tuple[Finished, float]:
    """SIGTERM, as Kubernetes sends it; returns the result and seconds until the process exited."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    result = finish(process, seen, timeout=30)
    return result, time.monotonic() - sent
