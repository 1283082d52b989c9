"""The verbs' command lines, registered in jobs/runtime/cli.py. Each command imports its module
(and the Kubernetes client) only when it runs, so `python -m jobs run` never pays for them."""

from jobs.runtime.options import add_values_option, positive_int

REQUEST_TIMEOUT = 10
START_TIMEOUT = 300
ENTRY_HELP = "a schedule entry of the chart (python -m jobs status lists them)"


def add_target_options(parser) -> None:
    group = parser.add_argument_group("where (default: the cluster of the kubeconfig, if any)")
    group.add_argument("--namespace", "-n", help="namespace of the release (requires a cluster)")
    group.add_argument("--release", help="only this Helm release's CronJobs")
    group.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig (default: KUBECONFIG)")
    group.add_argument("--local", action="store_true", help="this machine, even with a cluster")
    add_values_option(
        group, ": the entries on this machine; in a cluster, what status compares suspensions with"
    )
    group.add_argument(
        "--request-timeout",
        type=positive_int,
        default=REQUEST_TIMEOUT,
        metavar="S",
        help=f"seconds one API call may take (default {REQUEST_TIMEOUT})",
    )


def add_by_option(parser) -> None:
    parser.add_argument("--by", metavar="NAME", help="who is acting (default: user@host)")


def add_parsers(commands) -> None:
    status = commands.add_parser("status", help="every entry: state, last and next runs")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    suspend = commands.add_parser("suspend", help="stop scheduling an entry")
    suspend.add_argument("entry", metavar="ENTRY", help=ENTRY_HELP)
    suspend.add_argument("--reason", default="", metavar="TEXT", help="why, for the record")
    add_by_option(suspend)
    resume = commands.add_parser("resume", help="schedule a suspended entry again")
    resume.add_argument("entry", metavar="ENTRY", help=ENTRY_HELP)
    add_by_option(resume)
    trigger = commands.add_parser("trigger", help="run an entry now (a manual run)")
    trigger.add_argument("entry", metavar="ENTRY", help=ENTRY_HELP)
    trigger.add_argument(
        "--follow", action="store_true", help="print its log; exit with its exit code"
    )
    trigger.add_argument(
        "--timeout",
        type=positive_int,
        default=START_TIMEOUT,
        metavar="S",
        help=f"seconds its pod may take to start (default {START_TIMEOUT})",
    )
    prune = commands.add_parser("prune", help="delete failed Jobs a later success made stale")
    which = prune.add_mutually_exclusive_group(required=True)
    which.add_argument("entry", metavar="ENTRY", nargs="?", help=ENTRY_HELP)
    which.add_argument("--all", action="store_true", help="every entry")
    prune.add_argument("--dry-run", action="store_true", help="say what it would delete")
    for parser in (status, suspend, resume, trigger, prune):
        add_target_options(parser)


def status_command(args, stdout) -> int:
    from jobs.operations.status import show_status

    return show_status(args, stdout)


def suspend_command(args, stdout) -> int:
    from jobs.operations.suspend import change

    return change(args, stdout, suspend=True)


def resume_command(args, stdout) -> int:
    from jobs.operations.suspend import change

    return change(args, stdout, suspend=False)


def trigger_command(args, stdout) -> int:
    from jobs.operations.trigger import trigger

    return trigger(args, stdout)


def prune_command(args, stdout) -> int:
    from jobs.operations.prune import prune

    return prune(args, stdout)


OPERATIONS = {
    "status": status_command,
    "suspend": suspend_command,
    "resume": resume_command,
    "trigger": trigger_command,
    "prune": prune_command,
}
