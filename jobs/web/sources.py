"""Where the dashboard's entries come from. In a cluster (CRONSUITE_CRONJOB_PREFIX set) the
truth is the live CronJobs, read through the Kubernetes API: entries added or suspended by an
override are there, and where they differ from the chart's values (baked into the image) is
said beside them. On one machine, the chart's values, with the suspensions made by
`python -m jobs suspend` (jobs/suspensions.py) and the local scheduler's last fire of each
entry (jobs/scheduler/, `python -m jobs schedule`), as the local scheduler runs them."""

from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from jobs import entries as chart
from jobs import suspensions
from jobs.runtime.errors import ConfigurationError, JobFailed
from jobs.scheduler.claims import fired
from jobs.scheduler.models import EntrySchedule

DEFAULT_TIMEOUT = 3600  # the chart's defaults.timeout, for an entry whose pod does not say


def values_here() -> str:
    files = ", ".join(["values.yaml", *chart.override_files()])
    return f"the chart's values on this machine ({files})"


@dataclass
class BoardEntry(chart.Entry):
    """An entry as it runs: the chart's (settings included), or its CronJob's (no settings)."""

    timeout_seconds: int = DEFAULT_TIMEOUT
    cronjob: str = ""  # in a cluster: the CronJob Run now creates its Job from
    drift: list[str] = field(default_factory=list)  # how the cluster differs from the values
    suspension: str = ""  # who suspended or resumed it last, when, why
    last_schedule: datetime | None = None  # lastScheduleTime, the CronJob's or the local one


@dataclass
class Source:
    where: str
    entries: list[BoardEntry]
    problem: str = ""  # why the truth could not be read (then the values are shown)
    scheduler: EntrySchedule | None = None  # on one machine: the local scheduler's last fire
    local: bool = False

    def find(self, name: str) -> BoardEntry:
        for entry in self.entries:
            if entry.name == name:
                return entry
        known = ", ".join(e.name for e in self.entries) or "none"
        why = f" {self.problem}" if self.problem else ""
        raise chart.UnknownEntry(f"no schedule entry {name!r}. Entries: {known}.{why}")


def board_entries() -> Source:
    try:
        if not settings.CRONSUITE_CRONJOB_PREFIX:
            return from_values(on_this_machine=True)
        return from_cluster_or_values()
    except chart.ValuesError as e:  # a broken override file, say: the page says so
        return Source(values_here(), [], problem=f"The chart's values cannot be read: {e}")


def from_cluster_or_values() -> Source:
    try:
        return from_cluster()
    except (ConfigurationError, JobFailed) as e:
        values = from_values(on_this_machine=False)
        values.problem = f"The live CronJobs cannot be read, so the chart's values are shown: {e}"
        return values


def chart_entries() -> list[chart.Entry]:
    """The chart's entries (values.yaml and CRONSUITE_VALUES, as the local scheduler reads
    them), read again only when one of those files changes: parsing them costs more than the
    rest of the dashboard (bench/web.py), and they change with a deploy, not a request."""
    files = (str(chart.VALUES_FILE), *chart.override_files())
    return list(parsed_entries(chart.load, files, tuple(modified(f) for f in files)))


def modified(path: str) -> int | None:
    try:
        return Path(path).stat().st_mtime_ns
    except OSError:
        return None


@lru_cache(maxsize=4)
def parsed_entries(load, files: tuple[str, ...], changed: tuple) -> tuple[chart.Entry, ...]:
    return tuple(load(list(files[1:])))


def from_values(on_this_machine: bool) -> Source:
    found = [from_entry(entry) for entry in chart_entries()]
    source = Source(values_here(), found, local=on_this_machine)
    if on_this_machine:
        add_local_suspensions(found)
        source.scheduler = add_local_schedules(found)
    return source


def from_entry(entry: chart.Entry) -> BoardEntry:
    return BoardEntry(
        **{f.name: getattr(entry, f.name) for f in fields(chart.Entry)},
        timeout_seconds=int(entry.settings.get("timeout") or DEFAULT_TIMEOUT),
        cronjob=f"{settings.CRONSUITE_CRONJOB_PREFIX or ''}{entry.name}",
    )


def add_local_suspensions(found: list[BoardEntry]) -> None:
    """`python -m jobs suspend` on this machine: the latest record of each entry decides."""
    changes = suspensions.latest_changes([e.name for e in found])
    for entry in found:
        change = changes.get(entry.name)
        if change is not None:
            entry.suspended = entry.suspended or change.action == suspensions.SUSPENDED
            entry.suspension = change.sentence


def add_local_schedules(found: list[BoardEntry]) -> EntrySchedule | None:
    """The local scheduler's last fire of each entry; returns its latest fire of any."""
    fires = fired([e.name for e in found])
    for entry in found:
        if entry.name in fires:
            entry.last_schedule = fires[entry.name].last_schedule_time
    return max(fires.values(), key=lambda f: f.last_schedule_time, default=None)


def from_cluster() -> Source:
    from k8s.client import connect, require
    from k8s.cronjobs import list_cronjobs

    cluster = require(connect())
    namespace = settings.CRONSUITE_NAMESPACE or cluster.namespace
    prefix = settings.CRONSUITE_CRONJOB_PREFIX
    ours = [
        c for c in list_cronjobs(cluster, namespace) if c["metadata"]["name"].startswith(prefix)
    ]
    source = Source(f"the CronJobs in namespace {namespace} on {cluster.server}", [])
    try:
        values = {e.name: e for e in chart_entries()}
    except chart.ValuesError as e:  # the live CronJobs are still worth showing
        values = None
        source.problem = f"The chart's values cannot be read, so no drift is shown: {e}"
    for cronjob in ours:
        in_values = (values or {}).get(cronjob["metadata"]["name"][len(prefix) :])
        source.entries.append(from_cronjob(cronjob, in_values, compare=values is not None))
    live = {e.name for e in source.entries}
    for missing in sorted(set(values or {}) - live):
        entry = from_entry(values[missing])
        entry.drift = ["in the chart's values, but no CronJob in the cluster"]
        source.entries.append(entry)
    return source


def from_cronjob(cronjob: dict, in_values: chart.Entry | None, compare: bool) -> BoardEntry:
    from k8s.status import describe

    state = describe(cronjob)
    entry = BoardEntry(
        name=state.entry,
        job=state.job,
        args=state.args,
        schedule=state.schedule,
        time_zone=state.time_zone,
        suspended=state.suspended,
        settings={},  # a CronJob's are its spec; what the board needs of them is below
        timeout_seconds=pod_timeout(cronjob),
        cronjob=state.cronjob,
        last_schedule=state.last_schedule,
    )
    entry.drift = drift(entry, in_values) if compare else []
    if state.change is not None:
        entry.suspension = state.change.sentence
    return entry


def pod_timeout(cronjob: dict) -> int:
    """The JOB_TIMEOUT the chart gives the job's container: the entry's timeout."""
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    for container in pod.get("containers") or []:
        for variable in container.get("env") or []:
            if variable.get("name") == "JOB_TIMEOUT" and str(variable.get("value", "")).isdigit():
                return int(variable["value"])
    return DEFAULT_TIMEOUT


def drift(live: BoardEntry, values: chart.Entry | None) -> list[str]:
    """What the CronJob does differently from the chart's values, one phrase per field."""
    if values is None:
        return ["not in the chart's values (added by an override)"]
    said = []
    for field_name, label in (
        ("schedule", "schedule"),
        ("time_zone", "time zone"),
        ("job", "job"),
        ("args", "arguments"),
        ("suspended", "suspended"),
    ):
        here, there = getattr(live, field_name), getattr(values, field_name)
        if here != there:
            said.append(f"{label} {shown(here)}, the values say {shown(there)}")
    return said


def shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(value) or "none"
    return str(value)
