"""What `python -m jobs list`, the command line's help and `manage.py scheduler_info` print: jobs,
options and entries, wrapped for an 80-column terminal."""

import json
import textwrap
from datetime import datetime

from jobs import entries as chart_entries
from jobs.runtime.discovery import all_jobs
from jobs.runtime.job import Job
from jobs.runtime.options import RUNTIME_OPTIONS

WIDTH = 80


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


def wrapped(text: str, first: str) -> list[str]:
    """`text` after `first`, its next lines indented under the text's first word."""
    indent = " " * len(first)
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=indent) or [first]


def job_lines(job: Job, indent: str = "") -> list[str]:
    return wrapped(job.help, f"{indent}{job.name:<20}  ")


def option_lines(option: dict) -> list[str]:
    return wrapped(option["help"], f"{'':<24}{', '.join(option['flags']):<18} ")


def job_table(jobs: dict[str, Job] | None = None) -> str:
    """The jobs and their sentences, as the command line's help ends."""
    jobs = all_jobs() if jobs is None else jobs
    return "\n".join(["jobs:", *(line for job in jobs.values() for line in job_lines(job, "  "))])


def next_runs(entry: chart_entries.Entry, now: datetime | None, count: int) -> str:
    """The entry's next run times, or why it has none: a suspended CronJob does not run."""
    if entry.suspended and entry.settings.get("suspend"):
        return "none, the entry is suspended (suspend: true)"
    if entry.suspended:
        return "none, every entry is suspended (suspendAll: true)"
    return ", ".join(t.strftime("%Y-%m-%d %H:%M %Z") for t in entry.next_runs(now, count))


def format_entries(
    found: list[chart_entries.Entry], now: datetime | None = None, count: int = 3
) -> str:
    """A readable table of entries and their next run times."""
    lines = []
    for e in found:
        state = "suspended" if e.suspended else "active"
        lines.append(f"{e.name}  [{state}]")
        lines.append(f"    runs:     {e.command}")
        lines.append(f"    schedule: {e.schedule} ({e.time_zone})")
        lines.extend(wrapped(next_runs(e, now, count), "    next:     "))
        for warning in e.dst_warnings(now):
            lines.extend(wrapped(warning, "    DST:      "))
    return "\n".join(lines)


def print_listing(values_files: list[str], as_json: bool, stdout) -> int:
    found = chart_entries.load(values_files)
    jobs = all_jobs()
    if as_json:
        listing = {
            "jobs": [
                {"name": job.name, "description": job.help, "options": describe_options(job)}
                for job in jobs.values()
            ],
            "entries": [entry.as_dict() for entry in found],
        }
        print(json.dumps(listing, indent=2, default=str), file=stdout)
        return 0
    for job in jobs.values():
        print("\n".join(job_lines(job)), file=stdout)
        for option in describe_options(job):
            print("\n".join(option_lines(option)), file=stdout)
    if found:
        print("\nSchedule entries (Helm chart values):", file=stdout)
        print(format_entries(found), file=stdout)
    return 0
