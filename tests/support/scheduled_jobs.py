"""Jobs for the scheduler's tests and benchmark, loaded through JOB_MODULES like a project's own."""

import json
import os
import signal
import time
from pathlib import Path

from jobs.runtime.errors import JobFailed
from jobs.runtime.job import Job
from jobs.runtime.run import Run


class Stubborn(Job):
    name = "stubborn"
    help = "Ignore SIGTERM and its own deadline, and sleep: only SIGKILL ends it."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=300)

    def handle(self, run: Run, seconds: float):
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            signal.signal(signum, signal.SIG_IGN)
        run.log.info("stubborn.started", "Ignoring SIGTERM and the deadline.", pid=os.getpid())
        time.sleep(seconds)


class Flaky(Job):
    name = "flaky"
    help = "Fail (exit 1) until the attempt counted in --counter reaches --succeed-at."

    def add_arguments(self, parser):
        parser.add_argument("--counter", required=True)
        parser.add_argument("--succeed-at", type=int, default=2)

    def handle(self, run: Run, counter: str, succeed_at: int):
        path = Path(counter)
        attempt = int(path.read_text() or 0) + 1 if path.exists() else 1
        path.write_text(str(attempt))
        run.count("attempts")
        if attempt < succeed_at:
            raise JobFailed(f"attempt {attempt} fails on purpose")


class RecordStart(Job):
    name = "record-start"
    help = "Append when this process started and when the job began to --file (the benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True)
        parser.add_argument("--label", default="")

    def handle(self, run: Run, file: str, label: str):
        line = {
            "label": label,
            "pid": os.getpid(),
            "process_started": process_start(),
            "handled": time.time(),
        }
        with open(file, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")  # one short write: lines of many children never mix


def process_start() -> float:
    """This process's start, as a Unix time, from the kernel (not from Python's own start-up)."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # starttime, field 22 of proc(5)
    return boot_time() + after_boot


def boot_time() -> float:
    """When the machine booted, as a Unix time: the two clocks read back to back, the closest
    pair of three (a busy machine can pause a process between the two reads)."""
    pairs = [
        (time.clock_gettime(time.CLOCK_REALTIME), time.clock_gettime(time.CLOCK_BOOTTIME))
        for _ in range(3)
    ]
    return max(real - boot for real, boot in pairs)


JOBS = [Stubborn(), Flaky(), RecordStart()]
