"""What a CronJob says about its entry: what it runs, when, whether it is suspended (and by whom,
from our annotations), and what the CronJob controller last did (its `status`)."""

from dataclasses import dataclass, field
from datetime import datetime

from jobs.suspensions import Change
from k8s.client import Cluster
from k8s.cronjobs import JOB_LABEL, entry_of, list_cronjobs, release_of
from k8s.suspension import last_change


@dataclass
class CronJobState:
    entry: str
    cronjob: str
    release: str
    job: str
    args: list[str]
    schedule: str
    time_zone: str
    suspended: bool
    change: Change | None  # the last suspend or resume through cronsuite
    last_schedule: datetime | None
    last_success: datetime | None
    active: list[str] = field(default_factory=list)  # the names of its running Jobs


def timestamp(text: str | None) -> datetime | None:
    # The API writes RFC 3339 in UTC ("2026-12-02T06:00:00Z"), which fromisoformat reads.
    return datetime.fromisoformat(text) if text else None


def command(cronjob: dict) -> list[str]:
    """The container's args: ["run", JOB, *options], as the chart renders them."""
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    containers = pod.get("containers") or [{}]
    job = next((c for c in containers if c.get("name") == "job"), containers[0])
    return [str(a) for a in job.get("args") or []]


def job_name(cronjob: dict, args: list[str]) -> str:
    label = cronjob["metadata"].get("labels", {}).get(JOB_LABEL)
    return label or (args[1] if len(args) > 1 else "")


def describe(cronjob: dict) -> CronJobState:
    spec, status = cronjob["spec"], cronjob.get("status") or {}
    args = command(cronjob)
    return CronJobState(
        entry=entry_of(cronjob),
        cronjob=cronjob["metadata"]["name"],
        release=release_of(cronjob),
        job=job_name(cronjob, args),
        args=args[2:],
        schedule=spec["schedule"],
        time_zone=spec.get("timeZone") or "UTC",
        suspended=bool(spec.get("suspend")),
        change=last_change(cronjob),
        last_schedule=timestamp(status.get("lastScheduleTime")),
        last_success=timestamp(status.get("lastSuccessfulTime")),
        active=[ref.get("name", "") for ref in status.get("active") or []],
    )


def cronjob_states(cluster: Cluster, namespace: str, release: str | None) -> list[CronJobState]:
    return [describe(c) for c in list_cronjobs(cluster, namespace, release)]
