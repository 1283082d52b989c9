"""Runs one job once under the runtime contract (docs/runtime.md): lock, record, interrupt,
push, log, close. Jobs never see any of this; they only get a Run."""

import logging
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from app.runs.models import JobRun
from jobs import logs, trigger
from jobs.base import Job, Run
from jobs.database import close_connections
from jobs.errors import ConfigurationError, JobFailed, Stop, exit_code_for, status_for
from jobs.interrupts import Interrupts
from jobs.locking import job_lock
from jobs.metrics import Pusher, end_metrics, skip_metrics, start_metrics

ERROR_SUMMARY_LENGTH = 500


@dataclass(frozen=True)
class Outcome:
    status: str
    exit_code: int
    error: str = ""

    @classmethod
    def from_error(cls, error: BaseException, secrets: list[str]) -> "Outcome":
        expected = isinstance(error, (JobFailed, Stop))
        text = str(error) if expected else f"{type(error).__name__}: {error}"
        # Masked before it is cut: a secret cut in half would no longer be recognised.
        summary = logs.mask(text, secrets)[:ERROR_SUMMARY_LENGTH]
        return cls(status_for(error), exit_code_for(error), summary)


def schedule_info(schedule: str | None, timezone: str, now: datetime) -> dict:
    if not schedule:
        return {}
    from jobs.schedule import expected_interval_seconds, next_run

    try:
        return {
            "expected_interval_seconds": expected_interval_seconds(schedule, timezone, now),
            "next_run_timestamp_seconds": next_run(schedule, timezone, now).timestamp(),
        }
    except (ValueError, KeyError) as e:
        raise ConfigurationError(
            f"CRONSUITE_SCHEDULE {schedule!r} in time zone {timezone!r} is not valid: {e}"
        )


def grouping_key(job: str, entry: str, namespace: str | None) -> dict[str, str]:
    key = {"job": job, "entry": entry}
    if namespace:
        key["namespace"] = namespace
    return key


class JobRunner:
    def __init__(
        self, job: Job, options: dict, *, timeout=None, log_file=None, verbose=False, stdout
    ):
        self.job = job
        self.options = options
        self.timeout = timeout or settings.JOB_TIMEOUT
        self.job_deadline = settings.CRONSUITE_JOB_DEADLINE
        self.entry = settings.CRONSUITE_ENTRY or job.name
        self.origin = trigger.detect(settings.CRONSUITE_K8S_JOB, settings.CRONSUITE_CRONJOB)
        self.schedule = schedule_info(
            settings.CRONSUITE_SCHEDULE, settings.CRONSUITE_TIMEZONE, datetime.now(UTC)
        )
        level = "DEBUG" if verbose else settings.LOG_LEVEL
        logs.configure(stdout, settings.LOG_FORMAT, level, self._secrets(), log_file)
        self.log = logs.EventLog({"job": job.name, "entry": self.entry})
        key = grouping_key(job.name, self.entry, settings.CRONSUITE_NAMESPACE)
        self.pusher = Pusher(settings.PUSHGATEWAY_URL, key, self.log, settings.PUSHGATEWAY_TIMEOUT)
        self.interrupts = Interrupts(self.timeout)
        self.started = time.time()

    def _secrets(self) -> list[str]:
        return list(getattr(settings, "SECRET_VALUES", []))

    def execute(self) -> int:
        self.interrupts.install()
        self.pusher.announce()
        try:
            outcome = self._run_under_lock()
        except Exception as e:  # the database is unreachable: fail loudly, still push
            outcome = Outcome.from_error(e, self._secrets())
            self.log.error("run.error", f"The run could not be started or recorded: {e}")
            self._report(outcome, Run(self.job, self.entry, self.log))
        finally:
            self.interrupts.uninstall()
            close_connections()
        return outcome.exit_code

    def _run_under_lock(self) -> Outcome:
        with job_lock(self.job.name) as acquired:
            if not acquired:
                return self._skip()
            record = self._start()
            run = Run(self.job, self.entry, self.log.bind(run_id=record.pk))
            run.interrupts = self.interrupts
            self.log = run.log
            outcome = self._work(run)
            self._finish(record, run, outcome)
            return outcome

    def _record(self, **fields) -> JobRun:
        return JobRun.objects.create(
            job=self.job.name,
            entry=self.entry,
            arguments=self.options,
            trigger=self.origin.trigger,
            scheduled_for=self.origin.scheduled_for,
            kubernetes_job=settings.CRONSUITE_K8S_JOB or "",
            host=(settings.CRONSUITE_POD or socket.gethostname())[:253],
            started_at=datetime.fromtimestamp(self.started, UTC),
            **fields,
        )

    def _skip(self) -> Outcome:
        now = time.time()
        record = self._record(
            status=JobRun.Status.SKIPPED, exit_code=0, finished_at=datetime.fromtimestamp(now, UTC)
        )
        self.log = self.log.bind(run_id=record.pk)
        self.log.info("run.skipped", f"Another run of {self.job.name} holds the lock: skipped.")
        self.pusher.push(skip_metrics(now), timeout=self._push_timeout())
        self._summary(Outcome("skipped", 0), {}, now)
        return Outcome("skipped", 0)

    def _start(self) -> JobRun:
        mark_abandoned_runs(self.job.name)
        record = self._record(status=JobRun.Status.RUNNING)
        self.log.bind(run_id=record.pk).info(
            "run.started",
            f"Started {self.job.name} ({self.origin.trigger}).",
            trigger=self.origin.trigger,
            scheduled_for=self.origin.scheduled_for,
            arguments=self.options,
            timeout_seconds=self.timeout,
            host=record.host,
        )
        if not self.interrupts.pending:  # already stopping: the end push says it all
            metrics = start_metrics(
                self.started, self.origin.trigger, self.timeout, self.schedule, self.job_deadline
            )
            self.pusher.push(metrics, timeout=self._push_timeout())
        return record

    def _work(self, run: Run) -> Outcome:
        try:
            with self.interrupts.armed_for_job():
                self.job.handle(run, **self.options)
        except (Exception, Stop) as e:
            return self._failed(e)
        return Outcome("succeeded", 0)

    def _failed(self, error: BaseException) -> Outcome:
        outcome = Outcome.from_error(error, self._secrets())
        unexpected = not isinstance(error, (JobFailed, Stop))
        self.log.log(
            logging.ERROR,
            "run.error",
            outcome.error,
            exc_info=error if unexpected else None,
            status=outcome.status,
        )
        # The connection may have been cut mid-query: record the run on a fresh one.
        close_connections()
        return outcome

    def _finish(self, record: JobRun, run: Run, outcome: Outcome) -> None:
        ended = time.time()
        JobRun.objects.filter(pk=record.pk).update(
            finished_at=datetime.fromtimestamp(ended, UTC),
            status=outcome.status,
            exit_code=outcome.exit_code,
            counts=dict(run.counts),
            error=outcome.error,
        )
        self._report(outcome, run, ended, previous_kinds(record))

    def _report(
        self, outcome: Outcome, run: Run, ended: float | None = None, stale_kinds=()
    ) -> None:
        ended = ended or time.time()
        # A kind the previous run counted and this one did not is pushed as 0: POST would
        # otherwise keep the previous run's figure beside this run's status.
        items = {**dict.fromkeys(stale_kinds, 0), **run.counts}
        metrics = end_metrics(
            self.started, ended, outcome.status, outcome.exit_code, items, run.metrics
        )
        self.pusher.push(metrics, timeout=self._push_timeout())
        self._summary(outcome, dict(run.counts), ended)

    def _push_timeout(self) -> float:
        # After SIGTERM the watchdog ends the process after the grace period: leave time for
        # the summary line after the push.
        left = self.interrupts.seconds_left()
        timeout = self.pusher.timeout
        return timeout if left is None else max(0.1, min(timeout, left - 1.0))

    def _summary(self, outcome: Outcome, counts: dict, ended: float) -> None:
        level = logging.INFO if outcome.exit_code == 0 else logging.ERROR
        fields = {"error": outcome.error} if outcome.error else {}
        self.log.log(
            level,
            "run.finished",
            f"{self.job.name} {outcome.status} in {ended - self.started:.2f} s.",
            status=outcome.status,
            exit_code=outcome.exit_code,
            duration_seconds=round(ended - self.started, 3),
            counts=counts,
            trigger=self.origin.trigger,
            **fields,
        )


def mark_abandoned_runs(job: str) -> int:
    """Rows still `running` while we hold the job's lock belong to processes that died without
    recording their end (SIGKILL, OOM, node lost): say so instead of leaving them running."""
    return JobRun.objects.filter(job=job, status=JobRun.Status.RUNNING).update(
        status=JobRun.Status.INTERRUPTED,
        error="The process ended without recording its end (killed, out of memory, node lost).",
    )


def previous_kinds(record: JobRun) -> list[str]:
    """Kinds the entry's previous run counted; none if the database cannot say (a failing run
    must still be reported with its own outcome)."""
    try:
        counts = (
            JobRun.objects.filter(entry=record.entry, finished_at__isnull=False)
            .exclude(pk=record.pk)
            .exclude(status=JobRun.Status.SKIPPED)
            .order_by("-started_at")
            .values_list("counts", flat=True)
            .first()
        )
    except Exception:  # noqa: BLE001 - the zeros are a nicety; the outcome is not
        return []
    return list(counts or {})
