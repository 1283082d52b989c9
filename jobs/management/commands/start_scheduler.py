"""`manage.py start_scheduler [--values FILE ...]`: the APScheduler setup's command name, now
`python -m jobs schedule`, with the same code path and exit codes."""

import sys

from django.core.management.base import BaseCommand, CommandError

from jobs.runtime import cli


class Command(BaseCommand):
    help = (
        "Run the chart's schedule entries on this machine (python -m jobs schedule): one "
        "process per run; SIGTERM stops it, SIGHUP reloads the values."
    )

    def add_arguments(self, parser):
        parser.add_argument("arguments", nargs="...")

    def run_from_argv(self, argv):
        # argv is [manage.py, start_scheduler, ...]: the runtime's parser reads the rest.
        sys.exit(cli.main(["schedule", *argv[2:]]))

    def handle(self, *args, **options):
        code = cli.main(["schedule", *options["arguments"]], stdout=self.stdout, stderr=self.stderr)
        if code != 0:
            raise CommandError(f"the scheduler exited with code {code}", returncode=code)
