"""The chart's CronJobs in a namespace, found by the labels the chart puts on every one of them
(`cronsuite.io/entry`, `cronsuite.io/job`, `app.kubernetes.io/instance`), never by name."""

from jobs.entries import UnknownEntry
from jobs.runtime.errors import ConfigurationError
from k8s.client import Cluster

ENTRY_LABEL = "cronsuite.io/entry"
JOB_LABEL = "cronsuite.io/job"
RELEASE_LABEL = "app.kubernetes.io/instance"


class AmbiguousEntry(ConfigurationError):
    """Two releases in one namespace have an entry of that name."""


def selector(release: str | None = None, entry: str | None = None) -> str:
    """A label selector: every CronJob of the chart, of one release, or of one entry."""
    parts = [f"{ENTRY_LABEL}={entry}" if entry else ENTRY_LABEL]
    if release:
        parts.append(f"{RELEASE_LABEL}={release}")
    return ",".join(parts)


def entry_of(obj: dict) -> str:
    return obj["metadata"].get("labels", {}).get(ENTRY_LABEL, "")


def release_of(obj: dict) -> str:
    return obj["metadata"].get("labels", {}).get(RELEASE_LABEL, "")


def list_cronjobs(cluster: Cluster, namespace: str, release: str | None = None) -> list[dict]:
    """The chart's CronJobs, sorted by entry (then release, when a namespace holds several)."""
    found = cluster.call(
        "list",
        "cronjobs",
        namespace,
        cluster.batch.list_namespaced_cron_job,
        namespace,
        label_selector=selector(release),
    )
    return sorted(found.get("items") or [], key=lambda c: (entry_of(c), release_of(c)))


def find_cronjob(cluster: Cluster, namespace: str, entry: str, release: str | None = None) -> dict:
    """The CronJob of `entry`; UnknownEntry listing the entries the namespace has."""
    everyone = list_cronjobs(cluster, namespace, release)
    found = [c for c in everyone if entry_of(c) == entry]
    if not found:
        known = ", ".join(sorted({entry_of(c) for c in everyone})) or "none"
        raise UnknownEntry(
            f"no schedule entry {entry!r} in namespace {namespace}"
            f"{f' (release {release})' if release else ''}. Entries: {known}."
        )
    if len(found) > 1:
        releases = ", ".join(release_of(c) for c in found)
        raise AmbiguousEntry(
            f"entry {entry!r} is in several releases of namespace {namespace} ({releases}): "
            "name one with --release."
        )
    return found[0]
