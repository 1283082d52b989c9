"""The jobs of bench/scheduler.py: one record-start job per entry and per scheduler, each of its
own name, so that the jobs' per-job lock never makes one run wait for another."""

import os

from tests.support.scheduled_jobs import RecordStart

ENTRIES = int(os.environ.get("BENCH_SCHEDULER_ENTRIES", "200"))


def record_start(name: str) -> RecordStart:
    job = RecordStart()
    job.name = name
    return job


JOBS = [
    record_start(f"record-start-{who}-{n:03d}") for who in ("ours", "cron") for n in range(ENTRIES)
]
