"""What the environment tells a run about itself (the chart sets it on every pod): which entry it
runs for, on what schedule, how it was started (and by whom, for a manual run), where, and its
deadlines. Read from the settings once, before the run starts, so a bad value stops it with exit
2 before anything happens."""

import socket
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from jobs.runtime.errors import ConfigurationError
from jobs.runtime.origin import Origin, detect
from jobs.runtime.vocabulary import Trigger


@dataclass(frozen=True)
class RunEnvironment:
    entry: str
    origin: Origin
    timeout: int  # seconds this attempt may run (JOB_TIMEOUT or --timeout)
    job_deadline: int | None  # the Kubernetes Job's activeDeadlineSeconds, every attempt
    failure_threshold: int  # failures in a row before CronsuiteJobFailed fires
    starting_deadline: int | None  # the CronJob's startingDeadlineSeconds
    kubernetes_job: str
    started_by: str  # who started a manual run; empty for any other
    host: str
    namespace: str | None
    schedule: str | None
    time_zone: str
    pushgateway_url: str | None
    pushgateway_timeout: float
    pushgateway_credentials: tuple[str, str] | None  # basic auth (username, password)
    secrets: tuple[str, ...]  # values masked in every log line, row and metric

    @classmethod
    def from_settings(cls, job_name: str, timeout: int | None) -> "RunEnvironment":
        origin = detect(
            settings.CRONSUITE_K8S_JOB,
            settings.CRONSUITE_CRONJOB,
            settings.CRONSUITE_SCHEDULED_FOR,  # set by `python -m jobs schedule`
        )
        environment = cls(
            entry=settings.CRONSUITE_ENTRY or job_name,
            origin=origin,
            timeout=timeout or settings.JOB_TIMEOUT,
            job_deadline=settings.CRONSUITE_JOB_DEADLINE,
            failure_threshold=settings.CRONSUITE_FAILURE_THRESHOLD,
            starting_deadline=settings.CRONSUITE_STARTING_DEADLINE,
            kubernetes_job=settings.CRONSUITE_K8S_JOB or "",
            # A person starts manual runs only: a scheduled pod that inherited it names no one.
            started_by=settings.CRONSUITE_STARTED_BY if origin.trigger == Trigger.MANUAL else "",
            host=(settings.CRONSUITE_POD or socket.gethostname())[:253],
            namespace=settings.CRONSUITE_NAMESPACE,
            schedule=settings.CRONSUITE_SCHEDULE,
            time_zone=settings.CRONSUITE_TIMEZONE,
            pushgateway_url=settings.PUSHGATEWAY_URL,
            pushgateway_timeout=settings.PUSHGATEWAY_TIMEOUT,
            pushgateway_credentials=(
                (settings.PUSHGATEWAY_USERNAME, settings.PUSHGATEWAY_PASSWORD)
                if settings.PUSHGATEWAY_USERNAME
                else None
            ),
            secrets=tuple(settings.SECRET_VALUES),
        )
        environment.schedule_metrics(datetime.now().astimezone())  # a bad schedule: exit 2 now
        return environment

    def start_gauges(self, started: datetime) -> dict[str, float]:
        """The threshold, the starting deadline and, for a scheduled run, its start lag."""
        gauges = {"failure_threshold": self.failure_threshold}
        if self.starting_deadline:
            gauges["starting_deadline_seconds"] = self.starting_deadline
        if self.origin.scheduled_for:
            lag = (started - self.origin.scheduled_for).total_seconds()
            gauges["last_run_start_lag_seconds"] = lag
        return gauges

    def grouping_key(self) -> dict[str, str]:
        """The Pushgateway group of the run, besides its job: the entry, and the namespace."""
        return {"entry": self.entry, **({"namespace": self.namespace} if self.namespace else {})}

    def schedule_metrics(self, now: datetime) -> dict[str, float]:
        if not self.schedule:
            return {}
        from jobs import cron  # cronsim: only for a run that has a schedule

        try:
            return {
                "expected_interval_seconds": cron.expected_interval_seconds(
                    self.schedule, self.time_zone, now
                ),
                "next_run_timestamp_seconds": cron.next_run(
                    self.schedule, self.time_zone, now
                ).timestamp(),
            }
        except (cron.CronError, KeyError) as e:
            raise ConfigurationError(
                f"CRONSUITE_SCHEDULE {self.schedule!r} in time zone {self.time_zone!r} "
                f"is not valid: {e}"
            )
