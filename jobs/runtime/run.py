"""What a job's handle() gets: a log bound to the run, its counts and its extra gauges."""

import sys
from collections import Counter
from contextlib import contextmanager, nullcontext

from django.db import transaction

from jobs.runtime.logs import EventLog
from jobs.runtime.metrics import Metrics


class Run:
    def __init__(self, job_name: str, entry: str, log: EventLog, interrupts=None):
        self.job_name = job_name
        self.entry = entry
        self.log = log
        self.counts: Counter[str] = Counter()
        self.metrics = Metrics()
        self.interrupts = interrupts  # None when a test calls a job's handle() directly
        self.lock = None  # the job's Lock, set by the runner once it holds it

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
        if self.lock is not None:
            self.lock.verify()  # a run that lost its lock stops before writing again
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
