"""Pushgateway metrics for every run (names and semantics: docs/runtime.md).

Each push builds a fresh registry and uses POST (pushadd), which replaces only the metrics it
carries: a failed run therefore leaves the previous last-success timestamp in place.
"""

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Gauge, pushadd_to_gateway

STATUSES = ("running", "succeeded", "failed", "timed_out", "interrupted")
FAILURES = ("failed", "timed_out", "interrupted")
TRIGGERS = ("scheduled", "manual", "local")
PREFIX = "cronsuite_job_"


class Metrics:
    """Gauges of one push; `gauge()` is also how jobs add their own (application statistics)."""

    def __init__(self):
        self.registry = CollectorRegistry()
        self._gauges: dict[str, Gauge] = {}

    def gauge(self, name: str, documentation: str, value: float, labels: Mapping | None = None):
        labels = dict(labels or {})
        if name not in self._gauges:
            self._gauges[name] = Gauge(name, documentation, list(labels), registry=self.registry)
        gauge = self._gauges[name]
        (gauge.labels(**labels) if labels else gauge).set(value)

    def state_set(self, name: str, documentation: str, label: str, states, current: str):
        for state in states:
            self.gauge(name, documentation, 1 if state == current else 0, {label: state})

    def __bool__(self):
        return bool(self._gauges)


def start_metrics(
    started: float,
    trigger: str,
    deadline: int,
    schedule_info: dict,
    kubernetes_deadline: int | None = None,
) -> Metrics:
    m = Metrics()
    m.gauge(f"{PREFIX}last_run_start_timestamp_seconds", "Start of the latest run.", started)
    m.state_set(
        f"{PREFIX}last_run_status", "Status of the latest run.", "status", STATUSES, "running"
    )
    m.state_set(
        f"{PREFIX}last_run_trigger", "How the latest run was started.", "trigger", TRIGGERS, trigger
    )
    m.gauge(f"{PREFIX}deadline_seconds", "Deadline of the latest run.", deadline)
    if kubernetes_deadline:
        m.gauge(
            f"{PREFIX}kubernetes_deadline_seconds",
            "The Kubernetes Job's activeDeadlineSeconds: all attempts of one scheduled run.",
            kubernetes_deadline,
        )
    if "expected_interval_seconds" in schedule_info:
        m.gauge(
            f"{PREFIX}expected_interval_seconds",
            "Longest gap between two scheduled times of the entry.",
            schedule_info["expected_interval_seconds"],
        )
        m.gauge(
            f"{PREFIX}next_run_timestamp_seconds",
            "Next scheduled time of the entry after the latest run started.",
            schedule_info["next_run_timestamp_seconds"],
        )
    return m


def end_metrics(
    started: float,
    ended: float,
    status: str,
    exit_code: int,
    counts: Mapping,
    extra: Metrics | None = None,
) -> Metrics:
    m = extra if extra is not None else Metrics()
    m.gauge(f"{PREFIX}last_run_start_timestamp_seconds", "Start of the latest run.", started)
    m.gauge(f"{PREFIX}last_run_end_timestamp_seconds", "End of the latest finished run.", ended)
    m.gauge(
        f"{PREFIX}last_run_duration_seconds",
        "Duration of the latest finished run.",
        ended - started,
    )
    m.state_set(f"{PREFIX}last_run_status", "Status of the latest run.", "status", STATUSES, status)
    m.gauge(f"{PREFIX}last_run_exit_code", "Exit code of the latest finished run.", exit_code)
    for kind, count in counts.items():
        m.gauge(
            f"{PREFIX}last_run_items",
            "Items processed by the latest run, per kind.",
            count,
            {"kind": kind},
        )
    if status == "succeeded":
        m.gauge(f"{PREFIX}last_success_timestamp_seconds", "When the entry last succeeded.", ended)
    if status in FAILURES:
        m.gauge(f"{PREFIX}last_failure_timestamp_seconds", "When the entry last failed.", ended)
    return m


def skip_metrics(when: float) -> Metrics:
    m = Metrics()
    m.gauge(
        f"{PREFIX}last_skip_timestamp_seconds", "When a run was last skipped for overlap.", when
    )
    return m


class Pusher:
    """Pushes to one Pushgateway group; a failure is logged, never raised."""

    def __init__(self, url: str | None, grouping_key: dict[str, str], log, timeout: float = 5.0):
        self.url = url
        self.grouping_key = grouping_key
        self.log = log
        self.timeout = timeout

    def announce(self) -> None:
        if not self.url:
            self.log.info("metrics.disabled", "PUSHGATEWAY_URL is not set: no metrics are pushed.")

    def push(self, metrics: Metrics, timeout: float | None = None) -> bool:
        if not self.url:
            return False
        key = dict(self.grouping_key)
        job = key.pop("job")
        try:
            pushadd_to_gateway(
                self.url,
                job=job,
                registry=metrics.registry,
                grouping_key=key,
                timeout=self.timeout if timeout is None else timeout,
            )
        except Exception as e:  # noqa: BLE001 - a broken Pushgateway must never fail the job
            self.log.error(
                "metrics.push_failed", f"Could not push metrics to {self.url}: {e}", error=str(e)
            )
            return False
        self.log.debug("metrics.pushed", "Pushed metrics.", url=self.url)
        return True
