"""The DST warnings of `python -m jobs check` (the chart's `helm test`): runs of the coming year
that a clock change moves, entry by entry, as `python -m jobs list` and the local scheduler's
start-up also say them. A warning, not a failure: the entry still runs, at a time worth knowing.

In the chart's test pod the entries are the release's (CRONSUITE_CHART_SCHEDULES, rendered from
the release's values); elsewhere, the values files this machine has."""

from datetime import datetime

from django.conf import settings

from jobs import cron
from jobs import entries as chart_entries
from jobs.runtime.listing import wrapped


def release_entries() -> list[chart_entries.Entry]:
    if settings.CRONSUITE_CHART_SCHEDULES is not None:
        return chart_entries.from_values(settings.CRONSUITE_CHART_SCHEDULES)
    return chart_entries.load()


def warnings(found: list[chart_entries.Entry], now: datetime | None = None) -> list[str]:
    said = []
    for entry in found:
        if entry.suspended:
            continue  # a suspended CronJob runs at no time, moved or not
        try:
            said.extend(f"jobs.{entry.name}: {w}" for w in entry.dst_warnings(now))
        except (cron.CronError, KeyError) as e:  # the schema refused it at install; say so anyway
            said.append(f"jobs.{entry.name}: {e}")
    return said


def print_warnings(stdout, now: datetime | None = None) -> None:
    try:
        said = warnings(release_entries(), now)
    except chart_entries.ValuesError as e:
        said = [f"the schedule entries cannot be read: {e}"]
    for warning in said:  # at 80 columns, as the checks' own lines and `list` are
        print("\n".join(wrapped(warning, "DST warning: ")), file=stdout)
