"""Runs one job once under the runtime contract (docs/runtime.md). Jobs never see any of this;
they only get a Run.

`execute()` is the contract's five steps, top to bottom:
1. the settings were read and the options parsed before the runner exists (exit 2 if bad);
2. take the job's lock, or record a skipped run;
3. record the run as running and push its start;
4. the job's handle() does the work, under the deadline and SIGTERM;
5. record the outcome, push it, log one `run.finished` line, close every connection.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from traceback import format_exception

from django.db.models import DateTimeField, Subquery, Value
from django.db.models.functions import Coalesce, Now

from jobs.models import JobRun
from jobs.runtime import logs
from jobs.runtime.database import bound_sessions, close_connections
from jobs.runtime.environment import RunEnvironment
from jobs.runtime.errors import Stop, describe, exit_code_for, expected, status_for
from jobs.runtime.interrupts import GRACE_SECONDS, LAST_WORDS_SECONDS, Interrupts
from jobs.runtime.job import Job
from jobs.runtime.locking import job_lock
from jobs.runtime.metrics import Streak, end_metrics, pusher_for, skip_metrics, start_metrics
from jobs.runtime.run import Run
from jobs.runtime.vocabulary import FAILURES, ExitCode, Status

ERROR_SUMMARY_LENGTH = 500
# A traceback's last characters are kept: the end says where it failed.
TRACEBACK_LENGTH = 20_000
EPOCH = Value(datetime(1970, 1, 1, tzinfo=UTC), output_field=DateTimeField())


@dataclass(frozen=True)
class Outcome:
    status: str
    exit_code: int
    error: str = ""
    traceback: str = ""  # only for an unexpected error (a bug), not for one raised on purpose

    @classmethod
    def of(cls, error: BaseException | None, secrets: list[str]) -> "Outcome":
        if error is None:
            return cls(Status.SUCCEEDED, ExitCode.SUCCEEDED)
        # Masked before it is cut: a secret cut in half would no longer be recognised.
        summary = logs.mask(describe(error), secrets)[:ERROR_SUMMARY_LENGTH]
        trace = "" if expected(error) else "".join(format_exception(error))
        trace = logs.mask(trace, secrets)[-TRACEBACK_LENGTH:]
        return cls(status_for(error), exit_code_for(error), summary, trace)


SKIPPED = Outcome(Status.SKIPPED, ExitCode.SUCCEEDED)


class JobRunner:
    def __init__(self, job: Job, options: dict, environment: RunEnvironment):
        self.job, self.options, self.environment = job, options, environment
        self.secrets = environment.secrets
        self.interrupts = Interrupts(environment.timeout)
        log = logs.EventLog({"job": job.name, "entry": environment.entry})
        # One Run for the whole process: a run whose database died still reports its counts.
        self.run = Run(job.name, environment.entry, log, self.interrupts)
        self.pusher = pusher_for(
            environment.pushgateway_url,
            job.name,
            environment.grouping_key(),
            log,
            environment.pushgateway_timeout,
            environment.pushgateway_credentials,
        )
        self.started = time.time()
        self.ended: float | None = None
        self.previous_kinds: list[str] = []
        self.streak = Streak(environment.failure_threshold, environment.origin.trigger)
        self.outcome: Outcome | None = None  # the work's, kept if recording it fails
        # Step 5's report happens once: from the main thread, or from the watchdog's last words.
        self._reporting = threading.Lock()
        self.interrupts.last_words = self._last_words

    @property
    def log(self) -> logs.EventLog:
        return self.run.log

    def execute(self) -> int:
        self.interrupts.install()
        bound_sessions(self.environment.timeout + GRACE_SECONDS)
        self.pusher.announce()
        try:
            outcome = self._run_under_lock()
        except Exception as e:  # the database failed the runtime itself: still report
            outcome = self.outcome or Outcome.of(e, self.secrets)
            self.log.error("run.error", f"The run could not be started or recorded: {e}")
        try:
            self._report(outcome)
        finally:
            self.interrupts.uninstall()
            close_connections()
        return outcome.exit_code

    def _run_under_lock(self) -> Outcome:
        with job_lock(self.job.name) as lock:
            if not lock.acquired:
                self._record_skip()
                return SKIPPED
            self.run.lock = lock
            record = self._start()
            self.outcome = self._work()
            self._finish(record, self.outcome)
            return self.outcome

    def _record(self, **fields) -> JobRun:
        record = JobRun.objects.create(
            job=self.job.name,
            entry=self.environment.entry,
            arguments=self.options,
            trigger=self.environment.origin.trigger,
            scheduled_for=self.environment.origin.scheduled_for,
            kubernetes_job=self.environment.kubernetes_job,
            started_by=self.environment.started_by[:150],
            host=self.environment.host,
            started_at=datetime.fromtimestamp(self.started, UTC),
            **fields,
        )
        self.log.context["run_id"] = record.pk
        return record

    def _record_skip(self) -> None:
        self.ended = time.time()
        finished_at = datetime.fromtimestamp(self.ended, UTC)
        self._record(status=Status.SKIPPED, exit_code=0, finished_at=finished_at)
        self.log.info("run.skipped", f"Another run of {self.job.name} holds the lock: skipped.")

    def _start(self) -> JobRun:
        mark_abandoned_runs(self.job.name)
        self.previous_kinds = previous_kinds(self.environment.entry)
        failures = failures_in_a_row(self.environment.entry)
        self.streak = Streak(self.streak.threshold, self.streak.trigger, failures)
        record = self._record(status=Status.RUNNING)
        by = f", by {record.started_by}" if record.started_by else ""
        self.log.info(
            "run.started",
            f"Started {self.job.name} ({self.environment.origin.trigger}{by}).",
            trigger=self.environment.origin.trigger,
            scheduled_for=self.environment.origin.scheduled_for,
            arguments=self.options,
            timeout_seconds=self.environment.timeout,
            host=record.host,
        )
        if not self.interrupts.pending:  # already stopping: the end push says it all
            self._push(
                start_metrics(
                    self.started,
                    self.environment.origin.trigger,
                    self.environment.timeout,
                    self.environment.schedule_metrics(datetime.now(UTC)),
                    self.environment.job_deadline,
                    self.environment.start_gauges(datetime.fromtimestamp(self.started, UTC)),
                )
            )
        return record

    def _work(self) -> Outcome:
        try:
            with self.interrupts.armed_for_job():
                self.job.handle(self.run, **self.options)
        except (Exception, Stop) as e:
            return self._failed(e)
        return Outcome.of(None, self.secrets)

    def _failed(self, error: BaseException) -> Outcome:
        outcome = Outcome.of(error, self.secrets)
        self.log.log(
            logging.ERROR,
            "run.error",
            outcome.error,
            exc_info=None if expected(error) else error,
            status=outcome.status,
        )
        # The connection may have been cut mid-query: record the run on a fresh one.
        close_connections()
        return outcome

    def _finish(self, record: JobRun, outcome: Outcome) -> None:
        self.ended = time.time()
        JobRun.objects.filter(pk=record.pk).update(
            finished_at=datetime.fromtimestamp(self.ended, UTC),
            status=outcome.status,
            exit_code=outcome.exit_code,
            counts=dict(self.run.counts),
            error=outcome.error,
            traceback=outcome.traceback,
        )

    def _report(self, outcome: Outcome) -> None:
        if not self._reporting.acquire(blocking=False):
            return  # the watchdog is saying the run's last words
        ended = self.ended or time.time()
        self._push_outcome(outcome, ended, self.interrupts.time_for(self.pusher.timeout))
        self._summary(outcome, ended)

    def _last_words(self, stop: Stop) -> None:
        """The grace period is over and the run is still not done: the database or a peer hangs.
        Report the stop without recording it; the next run closes the row left running."""
        if not self._reporting.acquire(blocking=False):
            return  # the main thread is reporting already
        unrecorded = (
            f"{stop}; the run could not record its end in time: the next run closes its row"
        )
        outcome = Outcome.of(stop, self.secrets)
        outcome = Outcome(outcome.status, outcome.exit_code, unrecorded[:ERROR_SUMMARY_LENGTH])
        ended = time.time()
        self._push_outcome(outcome, ended, LAST_WORDS_SECONDS / 2)
        self._summary(outcome, ended)

    def _push_outcome(self, outcome: Outcome, ended: float, timeout: float) -> None:
        if outcome is SKIPPED:
            self.pusher.push(skip_metrics(ended), timeout=timeout)
            return
        # A kind the previous run counted and this one did not is pushed as 0: POST would
        # otherwise keep the previous run's figure beside this run's status.
        items = {**dict.fromkeys(self.previous_kinds, 0), **self.run.counts}
        status, code = outcome.status, outcome.exit_code
        metrics = end_metrics(
            self.run.metrics, self.started, ended, status, code, items, self.streak
        )
        self.pusher.push(metrics, timeout=timeout)

    def _push(self, metrics) -> None:
        self.pusher.push(metrics, timeout=self.interrupts.time_for(self.pusher.timeout))

    def _summary(self, outcome: Outcome, ended: float) -> None:
        level = logging.INFO if outcome.exit_code == 0 else logging.ERROR
        fields = {"error": outcome.error} if outcome.error else {}
        self.log.log(
            level,
            "run.finished",
            f"{self.job.name} {outcome.status} in {ended - self.started:.2f} s.",
            status=outcome.status,
            exit_code=outcome.exit_code,
            duration_seconds=round(ended - self.started, 3),
            counts=dict(self.run.counts) if outcome is not SKIPPED else {},
            trigger=self.environment.origin.trigger,
            **fields,
        )


def mark_abandoned_runs(job: str) -> int:
    """Rows still `running` while we hold the job's lock belong to processes that ended without
    recording their end (SIGKILL, OOM, a lost node, a database that stopped answering). The cause
    is not known here, so the row says only what is known, and gets a finished_at."""
    return JobRun.objects.filter(job=job, status=Status.RUNNING).update(
        status=Status.INTERRUPTED,
        finished_at=Now(),
        error="Its process ended without recording its end; the next run closed it.",
    )


def previous_kinds(entry: str) -> list[str]:
    """Kinds the entry's previous finished run counted, asked before this run starts."""
    counts = (
        JobRun.objects.filter(entry=entry, finished_at__isnull=False)
        .exclude(status=Status.SKIPPED)
        .order_by("-started_at")
        .values_list("counts", flat=True)
        .first()
    )
    return list(counts or {})


def failures_in_a_row(entry: str) -> int:
    """The entry's failed runs since its last success (all of them if it never succeeded), asked
    before this run's row exists: one query on the (entry, status, -started_at) index."""
    successes = JobRun.objects.filter(entry=entry, status=Status.SUCCEEDED)
    last_success = successes.order_by("-started_at").values("started_at")[:1]
    # A plain range on the index: an OR with "never succeeded" made PostgreSQL scan every row.
    since = Coalesce(Subquery(last_success), EPOCH)
    return JobRun.objects.filter(entry=entry, status__in=FAILURES, started_at__gt=since).count()
