"""A JOB_MODULES module that lists job classes, as a project writes it: `JOBS = [Greet]`."""

from jobs.runtime.job import Job
from jobs.runtime.run import Run


class Greet(Job):
    name = "greet"
    help = "Say hello (a project's own job, listed as a class)."

    def add_arguments(self, parser):
        parser.add_argument("--name", default="world")

    def handle(self, run: Run, name: str) -> None:
        run.log.info("greet.said", f"Hello, {name}.", name=name)
        run.count("greetings")


JOBS = [Greet]
