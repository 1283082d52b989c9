"""What `python -m jobs list` and `manage.py scheduler_info` print: jobs, options and entries."""

import json
from datetime import datetime

from jobs import entries as chart_entries
from jobs.runtime.discovery import all_jobs
from jobs.runtime.options import RUNTIME_OPTIONS


def describe_options(job) -> list[dict]:
    return [
        {
            "flags": action.option_strings,
            "help": action.help or "",
            "default": action.default,
            "choices": list(action.choices) if action.choices else None,
        }
        for action in job.build_parser()._actions
        if action.option_strings and action.dest not in ("help", *RUNTIME_OPTIONS)
    ]


def format_entries(
    found: list[chart_entries.Entry], now: datetime | None = None, count: int = 3
) -> str:
    """A readable table of entries and their next run times."""
    lines = []
    for e in found:
        state = "suspended" if e.suspended else "active"
        command = " ".join([e.job, *e.args])
        lines.append(f"{e.name}  [{state}]")
        lines.append(f"    runs:     {command}")
        lines.append(f"    schedule: {e.schedule} ({e.time_zone})")
        times = ", ".join(t.strftime("%Y-%m-%d %H:%M %Z") for t in e.next_runs(now, count))
        lines.append(f"    next:     {times}")
    return "\n".join(lines)


def print_listing(values_files: list[str], as_json: bool, stdout) -> int:
    jobs = [
        {"name": job.name, "description": job.help, "options": describe_options(job)}
        for job in all_jobs().values()
    ]
    found = chart_entries.load(values_files)
    if as_json:
        listing = {"jobs": jobs, "entries": [entry.as_dict() for entry in found]}
        print(json.dumps(listing, indent=2, default=str), file=stdout)
        return 0
    for job in jobs:
        print(f"{job['name']:<22} {job['description']}", file=stdout)
        for option in job["options"]:
            print(f"{'':<24}{', '.join(option['flags']):<18} {option['help']}", file=stdout)
    if found:
        print("\nSchedule entries (Helm chart values):", file=stdout)
        print(format_entries(found), file=stdout)
    return 0
