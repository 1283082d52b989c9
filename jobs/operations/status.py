"""`python -m jobs status`: every entry, from its CronJob in a cluster or from the chart's values
on this machine, with its last finished run (JobRun) and its next run."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import DatabaseError

from jobs import cron, suspensions
from jobs import entries as chart_entries
from jobs.models import JobRun
from jobs.operations.target import Target, resolve
from jobs.runtime.errors import JobFailed
from jobs.scheduler.claims import fired
from jobs.suspensions import SUSPENDED, Change

NO_CRONJOBS = (
    "No CronJob here carries the chart's label cronsuite.io/entry: is the release in another "
    "namespace (--namespace NS), or is --release misspelt?"
)


@dataclass
class EntryStatus:
    entry: str
    job: str
    args: list[str]
    schedule: str
    time_zone: str
    suspended: bool
    values_suspended: bool | None  # None: the chart's values have no such entry
    change: Change | None  # the last suspend or resume through cronsuite
    last_schedule: datetime | None
    last_success: datetime | None
    active: list[str] = field(default_factory=list)
    last_run: dict | None = None
    next_run: datetime | None = None
    release: str = ""
    cronjob: str = ""


@dataclass
class Report:
    where: str
    entries: list[EntryStatus]
    notes: list[str] = field(default_factory=list)


def last_run(entry: str) -> dict | None:
    run = JobRun.objects.filter(entry=entry, finished_at__isnull=False).first()
    if run is None:
        return None
    return {
        "status": run.status,
        "finished_at": run.finished_at,
        "exit_code": run.exit_code,
        "trigger": run.trigger,
        "error": run.error,
    }


def next_run(status: EntryStatus, now: datetime) -> datetime | None:
    if status.suspended:
        return None
    return cron.next_runs(status.schedule, status.time_zone, now, 1)[0]


def from_cluster(target: Target, values: dict) -> list[EntryStatus]:
    from k8s.status import cronjob_states

    found = []
    for state in cronjob_states(target.cluster, target.namespace, target.release):
        in_values = values.get(state.entry)
        found.append(
            EntryStatus(
                entry=state.entry,
                job=state.job,
                args=state.args,
                schedule=state.schedule,
                time_zone=state.time_zone,
                suspended=state.suspended,
                values_suspended=None if in_values is None else in_values.suspended,
                change=state.change,
                last_schedule=state.last_schedule,
                last_success=state.last_success,
                active=state.active,
                release=state.release,
                cronjob=state.cronjob,
            )
        )
    return found


def on_this_machine(values: dict) -> list[EntryStatus]:
    """The values' entries as the local scheduler runs them: a local suspension holds one too,
    and its last fire is its lastScheduleTime, as the dashboard shows them (jobs/web/sources.py)."""
    names = list(values)
    changes, fires = suspensions.latest_changes(names), fired(names)
    found = []
    for entry in values.values():
        runs = JobRun.objects.filter(entry=entry.name)
        success = runs.filter(status=JobRun.Status.SUCCEEDED).first()
        change, fire = changes.get(entry.name), fires.get(entry.name)
        found.append(
            EntryStatus(
                entry=entry.name,
                job=entry.job,
                args=entry.args,
                schedule=entry.schedule,
                time_zone=entry.time_zone,
                suspended=entry.suspended or bool(change and change.action == SUSPENDED),
                values_suspended=entry.suspended,
                change=change,
                last_schedule=fire.last_schedule_time if fire else None,
                last_success=success.finished_at if success else None,
                active=[f"run {r.pk} on {r.host or 'this machine'}" for r in running(runs)],
            )
        )
    return found


def running(runs):
    return runs.filter(status=JobRun.Status.RUNNING, finished_at__isnull=True)


def add_runs(report: Report, now: datetime) -> None:
    """Each entry's last finished run and next run. In a cluster the database may be out of
    reach from where the command runs (a laptop): the CronJobs are worth showing anyway."""
    for status in report.entries:
        status.next_run = next_run(status, now)
    try:
        for status in report.entries:
            status.last_run = last_run(status.entry)
    except DatabaseError as e:
        report.notes.append(f"The run history (JobRun) cannot be read here: {e}".strip())


def gather(args, now: datetime) -> Report:
    target = resolve(args)
    values = {e.name: e for e in chart_entries.load(args.values)}
    if target.local:
        try:
            report = Report(target.describe(), on_this_machine(values))
        except DatabaseError as e:
            raise JobFailed(f"the run history (JobRun) cannot be read: {e}".strip()) from None
    else:
        report = Report(target.describe(), from_cluster(target, values))
        if not report.entries:
            report.notes.append(NO_CRONJOBS)
    add_runs(report, now)
    return report


def show_status(args, stdout, now: datetime | None = None) -> int:
    from jobs.operations.status_text import as_json, as_text

    report = gather(args, now or datetime.now(UTC))
    print(as_json(report) if args.json else as_text(report), file=stdout)
    return 0
