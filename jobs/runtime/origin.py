"""Where a run comes from: the CronJob's schedule, a person, or a machine without Kubernetes."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from jobs.runtime.errors import ConfigurationError
from jobs.runtime.vocabulary import Trigger


@dataclass(frozen=True)
class Origin:
    trigger: str
    scheduled_for: datetime | None = None


def detect(
    kubernetes_job: str | None, cronjob: str | None, scheduled_for: str | None = None
) -> Origin:
    """The CronJob controller names its Jobs <cronjob>-<scheduled minute since the epoch>;
    `kubectl create job --from=cronjob/...` needs another name, so any other name is manual.
    On one machine `python -m jobs schedule` names the due time itself (CRONSUITE_SCHEDULED_FOR)."""
    if scheduled_for:
        return Origin(Trigger.SCHEDULED, due_time(scheduled_for))
    if not kubernetes_job:
        return Origin(Trigger.LOCAL)
    match = re.fullmatch(rf"{re.escape(cronjob or '')}-(\d+)", kubernetes_job)
    if cronjob and match:
        return Origin(Trigger.SCHEDULED, datetime.fromtimestamp(int(match[1]) * 60, UTC))
    return Origin(Trigger.MANUAL)


def due_time(value: str) -> datetime:
    """An ISO 8601 time with its UTC offset (`2026-03-29T01:00:00+00:00`), as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ConfigurationError(
            f"CRONSUITE_SCHEDULED_FOR must be an ISO 8601 time with its UTC offset "
            f"(2026-03-29T01:00:00+00:00), got {value!r}."
        )
    return moment.astimezone(UTC)
