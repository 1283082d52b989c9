"""`python -m jobs list | run NAME | check`: the one place where errors become exit codes.

main() reads as Django's run_from_argv: parse, execute, one except, exit code.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from jobs.operations.commands import OPERATIONS
from jobs.operations.commands import add_parsers as add_operation_parsers
from jobs.runtime.database import close_connections
from jobs.runtime.errors import JobFailed, exit_code_for
from jobs.runtime.options import ArgumentParser, add_values_option, split_options
from jobs.runtime.vocabulary import ExitCode
from jobs.scheduler.command import add_parser as add_schedule_parser
from jobs.scheduler.command import schedule_command


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")
    import django

    django.setup()


class CommandParser(ArgumentParser):
    """A parser whose help can end with the jobs. Finding them imports every job, so it is done
    only when the help is shown, never on the way to running one."""

    lists_jobs = False

    def format_help(self) -> str:
        if not self.lists_jobs:
            return super().format_help()
        from jobs.runtime.listing import job_table

        return f"{super().format_help()}\n{job_table()}\n\n{JOB_HELP}\n"


JOB_HELP = (
    "`python -m jobs run NAME --help` shows a job's options; `python -m jobs list`\n"
    "shows every job's options and the chart's schedule entries."
)


RUN_DESCRIPTION = (
    "Run one job once, as its CronJob does. Exit codes: 0 succeeded or skipped (another run "
    "holds the lock), 1 failed, 2 usage or configuration error, 124 deadline exceeded, "
    "143 SIGTERM."
)


def build_parser() -> CommandParser:
    parser = CommandParser(prog="python -m jobs", description="Run cronsuite's background jobs.")
    parser.lists_jobs = True
    # Not required: with no command, parse() shows this help as a usage error.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    listing = commands.add_parser("list", help="list every job and its options")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    add_values_option(listing)
    # No -h of its own: `run NAME --help` is the job's help; parse() answers `run --help`.
    run = commands.add_parser(
        "run",
        help="run one job once",
        description=RUN_DESCRIPTION,
        usage="python -m jobs run NAME [options]",
        add_help=False,
    )
    run.lists_jobs = True
    run.add_argument("name", nargs="?", metavar="NAME", help="the job to run, then its options")
    commands.add_parser(
        "check", help="preflight: database, migrations and peers (exit 1 if any fails)"
    )
    add_operation_parsers(commands)
    add_schedule_parser(commands)
    parser.set_defaults(parser=parser)
    run.set_defaults(parser=run)
    return parser


def parse(argv: list[str], stdout=None, stderr=None):
    """The command, and for `run` everything after the job's name, which the job's parser reads.
    With no command, or no job to run, the help is the answer."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command is None or (args.command == "run" and args.name is None):
        show_help(args.parser, rest, stdout, stderr)
    if rest and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.arguments = rest
    return args


def show_help(parser: CommandParser, rest: list[str], stdout, stderr) -> None:
    """Asked for (`run --help`): on stdout, exit 0. Instead of a missing command or job: a usage
    error, on stderr with exit 2, after the help a person needs to write the command."""
    if rest and set(rest) <= {"-h", "--help"}:
        parser.print_help(stdout)
        raise SystemExit(0)
    parser.print_help(stderr)
    if rest:
        print(f"error: unrecognized arguments: {' '.join(rest)}", file=stderr)
    raise SystemExit(int(ExitCode.CONFIGURATION))


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    try:
        setup_django()
        args = parse(argv, stdout, stderr)
        return COMMANDS[args.command](args, stdout)
    except (JobFailed, ImproperlyConfigured) as e:
        print(f"error: {e}", file=stderr)
        return exit_code_for(e)
    except SystemExit as e:  # a help printed itself: exit 0 if asked for, else a usage error
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
    from jobs.runtime.dst import print_warnings

    code = preflight(stdout)
    print_warnings(stdout)
    return code


COMMANDS = {"list": list_command, "run": run_command, "check": check_command}
COMMANDS.update(OPERATIONS)  # the operator verbs, jobs/operations/commands.py
COMMANDS["schedule"] = schedule_command  # the local scheduler, jobs/scheduler/command.py
