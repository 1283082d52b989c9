"""Command-line options: the parser every job's options go through, the argparse types jobs use,
and the runtime options every job accepts (named once, here)."""

import argparse

from jobs.runtime.errors import UsageError


class ArgumentParser(argparse.ArgumentParser):
    # Raise instead of exiting, so the one place that maps errors to exit codes sees it.
    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def int_at_least(minimum: int):
    """An argparse type: a whole number not below minimum, with a message saying which."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}")
        return value

    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)

# The runtime's own options (dest names), added to every job's parser by add_runtime_options.
RUNTIME_OPTIONS = ("timeout", "log_file", "verbose")


def add_runtime_options(parser: ArgumentParser) -> None:
    group = parser.add_argument_group("runtime options (every job)")
    group.add_argument(
        "--timeout", type=positive_int, help="deadline in seconds (default: JOB_TIMEOUT)"
    )
    group.add_argument("--log-file", help="also write the log lines to this file")
    group.add_argument("--verbose", "-v", action="store_true", help="log debug lines too")


def split_options(namespace: argparse.Namespace) -> tuple[dict, dict]:
    """(runtime options, the job's own options)."""
    options = vars(namespace)
    runtime = {key: options.pop(key) for key in RUNTIME_OPTIONS}
    return runtime, options


def add_values_option(parser, more: str = "") -> None:
    """`--values FILE`, as every command that reads the entries takes it; `more` ends its help."""
    parser.add_argument(
        "--values",
        action="append",
        default=[],
        metavar="FILE",
        help="chart values override file, merged as `helm -f` does (repeatable; default: "
        f"CRONSUITE_VALUES){more}",
    )
