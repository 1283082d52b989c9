"""`python -m jobs list | run NAME | check`: the one place where errors become exit codes.

main() reads as Django's run_from_argv: parse, execute, one except, exit code.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from jobs.runtime.database import close_connections
from jobs.runtime.errors import JobFailed, exit_code_for
from jobs.runtime.options import ArgumentParser, split_options


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
    except (JobFailed, ImproperlyConfigured) as e:
        print(f"error: {e}", file=stderr)
        return exit_code_for(e)
    except SystemExit as e:  # --help printed itself
        return e.code or 0
    finally:
        close_connections()


def run_command(args, stdout) -> int:
    from django.conf import settings

    from jobs.runtime import logs
    from jobs.runtime.discovery import find_job
    from jobs.runtime.environment import RunEnvironment
    from jobs.runtime.runner import JobRunner

    job = find_job(args.name)
    runtime, options = split_options(job.build_parser().parse_args(args.arguments))
    environment = RunEnvironment.from_settings(job.name, runtime["timeout"])
    level = "DEBUG" if runtime["verbose"] else settings.LOG_LEVEL
    logs.configure(stdout, settings.LOG_FORMAT, level, environment.secrets, runtime["log_file"])
    return JobRunner(job, options, environment).execute()


def list_command(args, stdout) -> int:
    from jobs.runtime.listing import print_listing

    return print_listing(args.values, args.json, stdout)


def check_command(args, stdout) -> int:
    from jobs.runtime.checks import preflight

    return preflight(stdout)


COMMANDS = {"list": list_command, "run": run_command, "check": check_command}
