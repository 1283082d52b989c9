"""What a job is: a name, a sentence, typed options, and a handle() that does one unit of work."""

from abc import ABC, abstractmethod

from jobs.runtime.options import ArgumentParser, add_runtime_options
from jobs.runtime.run import Run


class Job(ABC):
    name: str = ""
    help: str = ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Declare the job's own options, as in a Django management command."""

    @abstractmethod
    def handle(self, run: Run, **options) -> None:
        """Do one unit of work; raise JobFailed or ConfigurationError to fail the run."""

    def build_parser(self) -> ArgumentParser:
        parser = ArgumentParser(prog=f"python -m jobs run {self.name}", description=self.help)
        add_runtime_options(parser)
        self.add_arguments(parser)
        return parser
