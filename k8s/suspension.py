"""Suspend or resume one CronJob: `spec.suspend`, and who, when and why as annotations beside it.

One merge patch does both, under our own field manager, so `managedFields` names cronsuite as
the owner of `spec.suspend` until Helm (or anyone) sets it again. What `helm upgrade` then does
is in docs/operations.md: Helm 3 and Helm 4's client-side apply set it back to the chart's
values; Helm 4's server-side apply stops on a conflict naming our field manager.
"""

from datetime import UTC, datetime

from jobs.suspensions import RESUMED, SUSPENDED, Change
from k8s.client import FIELD_MANAGER, Cluster

ANNOTATION = "cronsuite.io/suspension"  # "suspended" or "resumed": the last change we made
BY = "cronsuite.io/suspension-by"
AT = "cronsuite.io/suspension-at"
REASON = "cronsuite.io/suspension-reason"


def last_change(cronjob: dict) -> Change | None:
    annotations = cronjob["metadata"].get("annotations") or {}
    if annotations.get(ANNOTATION) not in (SUSPENDED, RESUMED):
        return None
    at = annotations.get(AT)
    return Change(
        action=annotations[ANNOTATION],
        by=annotations.get(BY, ""),
        at=datetime.fromisoformat(at) if at else None,
        reason=annotations.get(REASON, ""),
    )


def patch(suspend: bool, by: str, reason: str = "", now: datetime | None = None) -> dict:
    """The merge patch: `spec.suspend` and the annotations; a null removes an old reason."""
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    annotations = {
        ANNOTATION: SUSPENDED if suspend else RESUMED,
        BY: by,
        AT: at,
        REASON: reason or None,
    }
    return {"metadata": {"annotations": annotations}, "spec": {"suspend": suspend}}


def set_suspended(
    cluster: Cluster,
    namespace: str,
    cronjob: str,
    suspend: bool,
    by: str,
    reason: str = "",
    now: datetime | None = None,
) -> dict:
    """Patches the CronJob; returns it as the API server stored it."""
    return cluster.call(
        "patch",
        "cronjobs",
        namespace,
        cluster.batch.patch_namespaced_cron_job,
        cronjob,
        namespace,
        patch(suspend, by, reason, now),
        field_manager=FIELD_MANAGER,
        _content_type="application/merge-patch+json",
    )
