"""`manage.py runjob NAME [options]`: the same code path and exit codes as `python -m jobs run`."""

import sys

from django.core.management.base import BaseCommand, CommandError

from jobs.runtime import cli


class JobCommand(BaseCommand):
    """Hands the whole command line to the job runtime, whose parser knows the job's options."""

    job_name: str | None = None
    help = "Run one cronsuite job once (see `python -m jobs list`). Suitable for cron."

    def add_arguments(self, parser):
        if self.job_name is None:
            parser.add_argument("name")
        parser.add_argument("arguments", nargs="...")

    def argv(self, options) -> list[str]:
        return ["run", self.job_name or options["name"], *options["arguments"]]

    def run_from_argv(self, argv):
        # argv is [manage.py, command, ...]; Django's own parser would reject the job's options.
        job = [self.job_name] if self.job_name else []
        sys.exit(cli.main(["run", *job, *argv[2:]]))

    def handle(self, *args, **options):
        code = cli.main(self.argv(options), stdout=self.stdout, stderr=self.stderr)
        if code != 0:
            raise CommandError(f"job exited with code {code}", returncode=code)


class Command(JobCommand):
    pass
