"""`python -m jobs list | run NAME | check`: the one place where errors become exit codes."""

import json
import os
import sys

from django.core.exceptions import ImproperlyConfigured

from jobs.base import ArgumentParser, split_options
from jobs.database import close_connections
from jobs.errors import ConfigurationError


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")
    import django

    django.setup()


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m jobs", description="Run cronsuite's background jobs.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="list every job and its options")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.add_argument(
        "--values",
        action="append",
        default=[],
        metavar="FILE",
        help="chart values override file, merged as `helm -f` does (repeatable)",
    )
    run = commands.add_parser("run", help="run one job once", add_help=False)
    run.add_argument("name", help="the job to run, then its options (`run NAME --help`)")
    commands.add_parser(
        "check", help="preflight: database, migrations and peers (exit 1 if any fails)"
    )
    return parser


def parse(argv: list[str]):
    """The command, and for `run` everything after the job's name, which the job's parser reads."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.arguments = rest
    return args


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    try:
        setup_django()
        args = parse(argv)
        return COMMANDS[args.command](args, stdout)
    except ConfigurationError as e:
        print(f"error: {e}", file=stderr)
        return e.exit_code
    except ImproperlyConfigured as e:
        print(f"error: configuration: {e}", file=stderr)
        return 2
    except SystemExit as e:  # --help
        return e.code or 0
    finally:
        close_connections()


def find_job(name: str):
    from jobs.registry import JOBS

    if name not in JOBS:
        known = ", ".join(sorted(JOBS))
        raise ConfigurationError(f"unknown job {name!r}. Known jobs: {known}.")
    return JOBS[name]


def run_command(args, stdout) -> int:
    from jobs.runner import JobRunner

    job = find_job(args.name)
    runtime, options = split_options(job.build_parser().parse_args(args.arguments))
    return JobRunner(job, options, stdout=stdout, **runtime).execute()


def describe_options(job) -> list[dict]:
    return [
        {
            "flags": action.option_strings,
            "help": action.help or "",
            "default": action.default,
            "choices": list(action.choices) if action.choices else None,
        }
        for action in job.build_parser()._actions
        if action.option_strings and action.dest not in ("help", "timeout", "log_file", "verbose")
    ]


def list_command(args, stdout) -> int:
    from jobs.registry import JOBS
    from jobs.schedule import ScheduleError, describe, format_entries

    jobs = [
        {"name": job.name, "description": job.help, "options": describe_options(job)}
        for job in JOBS.values()
    ]
    try:
        entries = describe(args.values)
    except ScheduleError as e:
        raise ConfigurationError(str(e))
    if args.json:
        listing = {"jobs": jobs, "entries": [entry.as_dict() for entry in entries]}
        print(json.dumps(listing, indent=2, default=str), file=stdout)
        return 0
    for job in jobs:
        print(f"{job['name']:<22} {job['description']}", file=stdout)
        for option in job["options"]:
            print(f"{'':<24}{', '.join(option['flags']):<18} {option['help']}", file=stdout)
    if entries:
        print("\nSchedule entries (Helm chart values):", file=stdout)
        print(format_entries(entries), file=stdout)
    return 0


def check_command(args, stdout) -> int:
    from jobs.checks import preflight

    return preflight(stdout)


COMMANDS = {"list": list_command, "run": run_command, "check": check_command}
