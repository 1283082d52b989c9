"""Jobs that exist only for the runtime tests, loaded through JOB_MODULES like a project's own."""

import time

from django.db import transaction

from app.chat.models import StatisticsSnapshot
from jobs.runtime.errors import ConfigurationError, JobFailed
from jobs.runtime.job import Job
from jobs.runtime.run import Run


class Fail(Job):
    name = "fail"
    help = "Fail with the given message (exit 1), or as a configuration error (exit 2)."

    def add_arguments(self, parser):
        parser.add_argument("--message", default="it broke")
        parser.add_argument("--configuration", action="store_true")
        parser.add_argument("--crash", action="store_true", help="raise an unexpected error")

    def handle(self, run: Run, message: str, configuration: bool, crash: bool):
        run.count("attempts")
        if crash:
            raise ZeroDivisionError(message)
        raise (ConfigurationError if configuration else JobFailed)(message)


class Sleep(Job):
    name = "sleep"
    help = "Sleep; with --in-transaction, inside an open transaction that wrote a row."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=30)
        parser.add_argument("--in-transaction", action="store_true")

    def handle(self, run: Run, seconds: float, in_transaction: bool):
        if not in_transaction:
            run.log.info("sleep.started", "Sleeping.")
            time.sleep(seconds)
            return
        with transaction.atomic():
            StatisticsSnapshot.objects.create(
                total_users=0, total_conversations=0, total_messages=0, messages_last_24h=0
            )
            run.log.info("sleep.started", "Sleeping with a transaction open.")
            time.sleep(seconds)
        run.count("naps")


class Batches(Job):
    name = "batches"
    help = "Commit one small batch after another, for --pause seconds each, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--pause", type=float, default=0.05)
        parser.add_argument("--limit", type=int, default=1_000_000)

    def handle(self, run: Run, pause: float, limit: int):
        for number in range(limit):
            with run.batch() as counts:
                StatisticsSnapshot.objects.create(
                    total_users=number, total_conversations=0, total_messages=0, messages_last_24h=0
                )
                counts["batches"] += 1
            if number == 0:
                run.log.info("batches.started", "The first batch is committed.")
            time.sleep(pause)


JOBS = [Fail(), Sleep(), Batches()]
