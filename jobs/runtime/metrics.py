"""Pushgateway metrics for every run (names and semantics: docs/metrics.md).

Each push builds a fresh registry and uses POST (pushadd), which replaces only the metrics it
carries: a failed run therefore leaves the previous last-success timestamp in place.
prometheus_client is imported only to push: a run with no Pushgateway never loads it.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.error import HTTPError, URLError

from app.bounded import within
from app.env import shown_url
from jobs.runtime.vocabulary import FAILURES, RUN_STATUSES, Status, Trigger

PREFIX = "cronsuite_job_"
# Every gauge the runtime pushes, declared once: name (after PREFIX) -> (help, label names).
GAUGES = {
    "last_run_start_timestamp_seconds": ("Start of the latest run.", ()),
    "last_run_end_timestamp_seconds": ("End of the latest finished run.", ()),
    "last_run_duration_seconds": ("Duration of the latest finished run.", ()),
    "last_run_status": ("Status of the latest run.", ("status",)),
    "last_run_trigger": ("How the latest run was started.", ("trigger",)),
    "last_run_exit_code": ("Exit code of the latest finished run.", ()),
    "last_run_items": ("Items processed by the latest run, per kind.", ("kind",)),
    "last_success_timestamp_seconds": ("When the entry last succeeded.", ()),
    "last_failure_timestamp_seconds": ("When the entry last failed.", ()),
    "last_skip_timestamp_seconds": ("When a run was last skipped for overlap.", ()),
    "deadline_seconds": ("Deadline of the latest run.", ()),
    "kubernetes_deadline_seconds": (
        "The Kubernetes Job's activeDeadlineSeconds: all attempts of one scheduled run.",
        (),
    ),
    "expected_interval_seconds": ("Longest gap between two scheduled times of the entry.", ()),
    "next_run_timestamp_seconds": (
        "Next scheduled time of the entry after the latest run started.",
        (),
    ),
    "consecutive_failures": (
        "Failed runs of the entry in a row, up to the latest finished one; 0 after a success.",
        (),
    ),
    "failure_threshold": ("Failures in a row before CronsuiteJobFailed fires.", ()),
    "last_failure_trigger": ("How the entry's latest failed run was started.", ("trigger",)),
    "last_run_start_lag_seconds": (
        "Start of the latest scheduled run minus its scheduled time.",
        (),
    ),
    "starting_deadline_seconds": ("The CronJob's startingDeadlineSeconds.", ()),
}


@dataclass
class Family:
    documentation: str
    label_names: tuple[str, ...]
    values: dict[tuple[str, ...], float]  # label values -> value


class Metrics:
    """The gauges of one push, as plain values: the registry client_python pushes is built only
    when there is a Pushgateway to push to, so a run without one never imports it."""

    def __init__(self):
        self.families: dict[str, Family] = {}

    def set(self, name: str, value: float, **labels: str) -> None:
        """One of the runtime's gauges (GAUGES), by its name after the prefix."""
        documentation, _ = GAUGES[name]
        self.gauge(f"{PREFIX}{name}", documentation, value, labels)

    def gauge(self, name: str, documentation: str, value: float, labels: Mapping | None = None):
        """Any gauge by its full name: how jobs add their own (application statistics)."""
        labels = dict(labels or {})
        family = self.families.setdefault(name, Family(documentation, tuple(labels), {}))
        family.values[tuple(str(labels[n]) for n in family.label_names)] = value

    def value(self, name: str, **labels: str) -> float | None:
        """A gauge's value as it will be pushed (full name), or None if it was never set."""
        family = self.families.get(name)
        if family is None:
            return None
        return family.values.get(tuple(str(labels[n]) for n in family.label_names))

    def registry(self):
        """A fresh CollectorRegistry (never the default one) holding every gauge."""
        from prometheus_client import CollectorRegistry, Gauge

        registry = CollectorRegistry()
        for name, family in self.families.items():
            gauge = Gauge(name, family.documentation, family.label_names, registry=registry)
            for key, value in family.values.items():
                (gauge.labels(*key) if key else gauge).set(value)
        return registry

    def state_set(self, name: str, states, current: str) -> None:
        (label,) = GAUGES[name][1]
        for state in states:
            self.set(name, 1 if state == current else 0, **{label: state})


def start_metrics(
    started: float,
    trigger: str,
    deadline: int,
    schedule: Mapping,
    job_deadline: int | None,
    tuning: Mapping = {},  # noqa: B006 - read only: failure_threshold, start lag ...
) -> Metrics:
    m = Metrics()
    for name, value in tuning.items():
        m.set(name, value)
    m.set("last_run_start_timestamp_seconds", started)
    m.state_set("last_run_status", RUN_STATUSES, Status.RUNNING)
    m.state_set("last_run_trigger", Trigger.values, trigger)
    m.set("deadline_seconds", deadline)
    if job_deadline:
        m.set("kubernetes_deadline_seconds", job_deadline)
    for name, value in schedule.items():  # expected_interval_seconds, next_run_timestamp_seconds
        m.set(name, value)
    return m


def end_metrics(
    m: Metrics,
    started: float,
    ended: float,
    status: str,
    exit_code: int,
    items: Mapping,
    streak: "Streak | None" = None,
) -> Metrics:
    """The end of a run, added to the gauges the job set itself (`m`)."""
    if streak:
        streak.add_to(m, status)
    m.set("last_run_start_timestamp_seconds", started)
    m.set("last_run_end_timestamp_seconds", ended)
    m.set("last_run_duration_seconds", ended - started)
    m.state_set("last_run_status", RUN_STATUSES, status)
    m.set("last_run_exit_code", exit_code)
    for kind, count in items.items():
        m.set("last_run_items", count, kind=kind)
    if status == Status.SUCCEEDED:
        m.set("last_success_timestamp_seconds", ended)
    if status in FAILURES:
        m.set("last_failure_timestamp_seconds", ended)
    return m


@dataclass(frozen=True)
class Streak:
    """What CronsuiteJobFailed weighs: the entry's failures in a row before this run, its
    threshold, and this run's trigger (a manual run's failure is told apart by it)."""

    threshold: int
    trigger: str
    failures_before: int | None = None  # None: the history could not be read (database down)

    def add_to(self, m: Metrics, status: str) -> None:
        m.set("failure_threshold", self.threshold)
        if status == Status.SUCCEEDED:
            m.set("consecutive_failures", 0)
        if status in FAILURES:
            # NaN when unknown: NaN < threshold is false, so the failure is never kept quiet.
            unknown = self.failures_before is None
            m.set("consecutive_failures", math.nan if unknown else self.failures_before + 1)
            m.state_set("last_failure_trigger", Trigger.values, self.trigger)


def skip_metrics(when: float) -> Metrics:
    m = Metrics()
    m.set("last_skip_timestamp_seconds", when)
    return m


def basic_auth(username: str, password: str) -> Callable:
    """client_python's basic_auth_handler with the credentials bound, as its docs show."""
    from prometheus_client.exposition import basic_auth_handler

    def handler(url, method, timeout, headers, data):
        return basic_auth_handler(url, method, timeout, headers, data, username, password)

    return handler


def within_timeout(handler: Callable) -> Callable:
    """Bounds the whole request by its timeout. urllib's timeout is per socket operation, so a
    Pushgateway that answers a byte a second (or a name that takes long to resolve) would hold
    the push for as long as it likes. The request runs in a daemon thread, left behind if it has
    not finished in time (app/bounded.py)."""

    def handler_within(url, method, timeout, headers, data):
        request = handler(url, method, timeout, headers, data)
        return lambda: within(timeout, request, name="pushgateway-push")

    return handler_within


def reason(error: Exception) -> str:
    """Why a push failed, in a few words that name the setting to fix; never the URL."""
    if isinstance(error, HTTPError) and error.code == 401:
        return "HTTP 401 Unauthorized; check PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD"
    if isinstance(error, HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


class Pusher:
    """Pushes to one Pushgateway group (job + grouping key); a failure is logged, never raised."""

    def __init__(
        self,
        url: str,
        job: str,
        grouping_key: dict[str, str],
        log,
        timeout: float,
        handler: Callable | None = None,  # client_python's default_handler when None
    ):
        from prometheus_client.exposition import default_handler

        self.url, self.job, self.grouping_key = url, job, grouping_key
        self.log, self.timeout = log, timeout
        self.handler = within_timeout(handler or default_handler)
        self.shown_url = shown_url(url)

    def announce(self) -> None:
        pass

    def push(self, metrics: Metrics, timeout: float) -> bool:
        """One POST, over within `timeout` seconds whatever the Pushgateway does."""
        from prometheus_client import pushadd_to_gateway

        try:
            pushadd_to_gateway(
                self.url,
                job=self.job,
                registry=metrics.registry(),
                grouping_key=self.grouping_key,
                timeout=timeout,
                handler=self.handler,
            )
        except Exception as e:  # noqa: BLE001 - a broken Pushgateway must never fail the job
            why = reason(e)
            message = f"Could not push metrics to {self.shown_url}: {why}."
            self.log.error("metrics.push_failed", message, error=why, url=self.shown_url)
            return False
        self.log.debug("metrics.pushed", "Pushed metrics.", url=self.shown_url)
        return True


class NullPusher:
    """PUSHGATEWAY_URL is not set: says so once, then pushes nothing (hc/lib/statsd.py's idea)."""

    timeout = 0.0

    def __init__(self, log):
        self.log = log

    def announce(self) -> None:
        self.log.info("metrics.disabled", "PUSHGATEWAY_URL is not set: no metrics are pushed.")

    def push(self, metrics: Metrics, timeout: float) -> bool:
        return False


def pusher_for(
    url: str | None,
    job: str,
    grouping_key: dict,
    log,
    timeout: float,
    credentials: tuple[str, str] | None = None,
):
    if not url:
        return NullPusher(log)
    handler = basic_auth(*credentials) if credentials else None
    return Pusher(url, job, grouping_key, log, timeout, handler)
