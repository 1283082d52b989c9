"""What a job is: a name, a sentence, typed options, and a handle() that does one unit of work."""

import argparse
import sys
from abc import ABC, abstractmethod
from collections import Counter
from contextlib import contextmanager, nullcontext

from django.db import transaction

from jobs.errors import UsageError
from jobs.logs import EventLog
from jobs.metrics import Metrics


class ArgumentParser(argparse.ArgumentParser):
    # Raise instead of exiting, so the one place that maps errors to exit codes sees it.
    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def int_at_least(minimum: int):
    """An argparse type: a whole number not below minimum, with a message saying which."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


class Job(ABC):
    name: str = ""
    help: str = ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the job's own options, as in a Django management command."""

    @abstractmethod
    def handle(self, run: "Run", **options) -> None:
        """Do one unit of work; raise JobFailed or ConfigurationError to fail the run."""

    def build_parser(self) -> ArgumentParser:
        parser = ArgumentParser(prog=f"python -m jobs run {self.name}", description=self.help)
        runtime = parser.add_argument_group("runtime options (every job)")
        runtime.add_argument(
            "--timeout", type=positive_int, help="deadline in seconds (default: JOB_TIMEOUT)"
        )
        runtime.add_argument("--log-file", help="also write the log lines to this file")
        runtime.add_argument("--verbose", "-v", action="store_true", help="log debug lines too")
        self.add_arguments(parser)
        return parser


RUNTIME_OPTIONS = ("timeout", "log_file", "verbose")


def split_options(namespace: argparse.Namespace) -> tuple[dict, dict]:
    """(runtime options, the job's own options)."""
    options = vars(namespace)
    runtime = {key: options.pop(key) for key in RUNTIME_OPTIONS}
    return runtime, options


class Run:
    """What a job's handle() gets: a log bound to the run, counters and extra gauges."""

    def __init__(self, job: Job, entry: str, log: EventLog):
        self.job = job
        self.entry = entry
        self.log = log
        self.counts: Counter[str] = Counter()
        self.metrics = Metrics()
        self.interrupts = None  # set by the runner; None when a test calls a job directly

    def uninterrupted(self):
        """SIGTERM and the deadline wait until the block is done. Keep it to a moment: the
        grace period after SIGTERM is 5 s."""
        return self.interrupts.deferred() if self.interrupts else nullcontext()

    @contextmanager
    def batch(self):
        """One short transaction whose counts are added only if it commits.

        The work inside can be interrupted (SIGTERM, the deadline) and then rolls back, counts
        and all; the commit and the counting are one uninterruptible moment, so the run's counts
        are exactly what it committed. Yields a Counter for the batch's counts."""
        counts = Counter()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield counts
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
        with self.uninterrupted():
            atomic.__exit__(None, None, None)
            self.counts.update(counts)

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] += n

    def gauge(self, name: str, documentation: str, value: float, labels: dict | None = None):
        """An extra gauge pushed with the run's end metrics (application statistics, checks)."""
        self.metrics.gauge(name, documentation, value, labels)
