"""How `python -m jobs status` reads: one block per entry at 80 columns, or JSON for machines."""

import json
from dataclasses import asdict
from datetime import UTC, datetime

from jobs.operations.text import wrapped
from jobs.suspensions import SUSPENDED

LABEL = 16  # "last scheduled: "
# An error summary is the first line of the run's error, this long at most.
ERROR_SUMMARY = 160


def when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def line(label: str, text: str) -> list[str]:
    return wrapped(text, f"    {label + ':':<{LABEL}}")


def state(status) -> str:
    now = "suspended" if status.suspended else "active"
    if status.values_suspended is None:
        return f"[{now}; not in the chart's values]"
    if status.values_suspended != status.suspended:
        said = "suspended" if status.values_suspended else "active"
        return f"[{now}; the chart's values say {said}]"
    return f"[{now}]"


def change_lines(status) -> list[str]:
    change = status.change
    if change is None:
        return []
    text = f"by {change.by}, {when(change.at)}{f': {change.reason}' if change.reason else ''}"
    if (change.action == SUSPENDED) != status.suspended:
        text += "; changed since outside cronsuite (helm upgrade, kubectl)"
    return line(change.action, text)


def run_text(run: dict | None) -> str:
    if run is None:
        return "none yet"
    text = f"{run['status']} {when(run['finished_at'])}, exit {run['exit_code']} ({run['trigger']})"
    error = (run["error"] or "").strip().splitlines()
    return f"{text}: {error[0][:ERROR_SUMMARY]}" if error else text


def next_text(status) -> str:
    if status.next_run is None:
        return "none, suspended"
    return status.next_run.strftime("%Y-%m-%d %H:%M %Z")


def block(status, releases: int) -> list[str]:
    name = f"{status.entry} (release {status.release})" if releases > 1 else status.entry
    return [
        f"{name}  {state(status)}",
        *line("runs", " ".join([status.job, *status.args])),
        *line("schedule", f"{status.schedule} ({status.time_zone})"),
        *change_lines(status),
        *line("last run", run_text(status.last_run)),
        *line("last success", when(status.last_success)),
        *line("last scheduled", when(status.last_schedule)),
        *line("active", ", ".join(status.active) or "none"),
        *line("next", next_text(status)),
    ]


def as_text(report) -> str:
    releases = len({s.release for s in report.entries})
    lines = wrapped(f"Schedule entries {report.where}:", "")
    for status in report.entries:
        lines += ["", *block(status, releases)]
    if not report.entries:
        lines.append("    none")
    for note in report.notes:
        lines += ["", *wrapped(note, "")]
    return "\n".join(lines)


def iso(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def as_json(report) -> str:
    return json.dumps(asdict(report), indent=2, default=iso)
