"""`python -m jobs suspend ENTRY [--reason TEXT]` and `resume ENTRY`: in a cluster, the CronJob's
`spec.suspend` with who, when and why as its annotations; on this machine, the flag the local
scheduler reads. Either way an audit record (SuspensionRecord) for the admin."""

import sys

from django.db import DatabaseError

from jobs import entries as chart_entries
from jobs import suspensions
from jobs.operations.target import Target, operator, resolve
from jobs.operations.text import paragraph
from jobs.runtime.errors import ConfigurationError

HELM_NOTE = (
    "A helm upgrade sets spec.suspend back to the chart's values: to keep the entry "
    "suspended across upgrades, set jobs.{entry}.suspend=true in the values "
    "(docs/operations.md)."
)


def say(text: str, stdout) -> None:
    print(paragraph(text), file=stdout)


def change(args, stdout, suspend: bool) -> int:
    target = resolve(args)
    by, reason = args.by or operator(), getattr(args, "reason", "")
    if target.local:
        entry = chart_entries.find(args.entry, chart_entries.load(args.values))
        return change_here(entry, suspend, by, reason, stdout)
    return change_in_cluster(target, args.entry, suspend, by, reason, stdout)


def change_here(entry: chart_entries.Entry, suspend: bool, by: str, reason: str, stdout) -> int:
    name = entry.name
    if not suspend and entry.suspended:
        raise ConfigurationError(
            f"{name} is suspended by the chart's values (jobs.{name}.suspend or suspendAll): "
            "change the values; resume cannot override them."
        )
    if suspensions.is_suspended(name) == suspend:
        say(f"{name} is already {word(suspend)} on this machine: nothing changed.", stdout)
        return 0
    suspensions.record(name, suspend, by, reason)
    effect = "skips it" if suspend else "runs it again"
    say(
        f"{word(suspend).capitalize()} {name} on this machine (by {by}): the local scheduler "
        f"{effect} from its next time on, without a restart.",
        stdout,
    )
    return 0


def change_in_cluster(target: Target, name: str, suspend: bool, by, reason, stdout) -> int:
    from k8s.cronjobs import find_cronjob
    from k8s.suspension import set_suspended

    cronjob = find_cronjob(target.cluster, target.namespace, name, target.release)
    cronjob_name = cronjob["metadata"]["name"]
    if bool(cronjob["spec"].get("suspend")) == suspend:
        say(f"CronJob {cronjob_name} is already {word(suspend)}: nothing changed.", stdout)
        return 0
    set_suspended(target.cluster, target.namespace, cronjob_name, suspend, by, reason)
    audit(name, suspend, by, reason, f"{target.namespace}/{cronjob_name}")
    why = f": {reason}" if reason else ""
    say(
        f"{word(suspend).capitalize()} {name}: CronJob {cronjob_name} in namespace "
        f"{target.namespace} (by {by}{why}).",
        stdout,
    )
    if suspend:
        say(HELM_NOTE.format(entry=name), stdout)
    return 0


def audit(name: str, suspend: bool, by: str, reason: str, location: str) -> None:
    """The admin's record. The CronJob's annotations already say who, when and why, so a
    database out of reach from here (a laptop) costs the record, not the change."""
    try:
        suspensions.record(name, suspend, by, reason, location)
    except DatabaseError as e:
        print(f"warning: the audit record was not written: {e}".strip(), file=sys.stderr)


def word(suspend: bool) -> str:
    return "suspended" if suspend else "resumed"
