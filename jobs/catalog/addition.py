"""Adds two integers (the task scheduler migration's example): the smallest job, and the one to copy when writing a new one.

A job declares typed options (bad values exit 2 before anything runs), logs events with
structured fields, and counts what it processed; the runtime records, pushes and exits.
"""

from jobs.runtime.job import Job
from jobs.runtime.run import Run


def add(x: int, y: int) -> int:
    return x + y


class Addition(Job):
    name = "addition"
    help = "Add --x and --y and log the sum (the example job to copy)."

    def add_arguments(self, parser):
        parser.add_argument("--x", type=int, default=0, help="first integer (default 0)")
        parser.add_argument("--y", type=int, default=0, help="second integer (default 0)")

    def handle(self, run: Run, x: int, y: int) -> None:
        total = add(x, y)
        run.log.info("addition.result", f"{x} + {y} = {total}", x=x, y=y, result=total)
        run.count("additions")
