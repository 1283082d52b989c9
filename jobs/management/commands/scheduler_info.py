"""`manage.py scheduler_info`: every schedule entry of the Helm chart and its next run times."""

from django.core.management.base import BaseCommand, CommandError

from jobs import entries
from jobs.runtime.listing import format_entries


class Command(BaseCommand):
    help = "Show every chart schedule entry: job, arguments, schedule, time zone, state, next runs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--values",
            action="append",
            default=[],
            metavar="FILE",
            help="chart values override file, merged as `helm -f` does (repeatable)",
        )
        parser.add_argument("--count", type=int, default=3, help="next run times per entry")

    def handle(self, *args, **options):
        try:
            found = entries.load(options["values"])
        except entries.ValuesError as e:
            raise CommandError(str(e), returncode=e.exit_code)
        if not found:
            return "No schedule entries: the chart's values file is not installed here."
        return format_entries(found, count=options["count"])
