"""Where a run comes from: the CronJob's schedule, a person, or a machine without Kubernetes."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from jobs.runtime.vocabulary import Trigger


@dataclass(frozen=True)
class Origin:
    trigger: str
    scheduled_for: datetime | None = None


def detect(kubernetes_job: str | None, cronjob: str | None) -> Origin:
    """The CronJob controller names its Jobs <cronjob>-<scheduled minute since the epoch>;
    `kubectl create job --from=cronjob/...` needs another name, so any other name is manual."""
    if not kubernetes_job:
        return Origin(Trigger.LOCAL)
    match = re.fullmatch(rf"{re.escape(cronjob or '')}-(\d+)", kubernetes_job)
    if cronjob and match:
        return Origin(Trigger.SCHEDULED, datetime.fromtimestamp(int(match[1]) * 60, UTC))
    return Origin(Trigger.MANUAL)
