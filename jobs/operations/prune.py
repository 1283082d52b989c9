"""`python -m jobs prune ENTRY | --all [--dry-run]`: delete the failed Jobs a later success of
the same entry made stale (k8s/prune.py says why), saying which and why."""

from jobs.operations.target import resolve
from jobs.operations.text import paragraph
from jobs.runtime.errors import ConfigurationError


def prune(args, stdout) -> int:
    from k8s.cronjobs import find_cronjob
    from k8s.prune import delete_job, list_jobs, stale

    target = resolve(args)
    if target.local:
        raise ConfigurationError(
            "prune deletes failed Kubernetes Jobs and needs a cluster: no Kubernetes "
            "configuration was found. On this machine the run history is JobRun, which the "
            "cleanup-logs job prunes."
        )
    if args.entry:  # an unknown entry is an error naming the entries, not "nothing to prune"
        find_cronjob(target.cluster, target.namespace, args.entry, target.release)
    found = stale(list_jobs(target.cluster, target.namespace, target.release, args.entry))
    verb = "Would delete" if args.dry_run else "Deleted"
    for s in found:
        if not args.dry_run:
            delete_job(target.cluster, target.namespace, s.failed.name)
        print(
            paragraph(
                f"{verb} Job {s.failed.name} of {s.failed.entry}: failed, and "
                f"{s.succeeded_later.name} succeeded after it."
            ),
            file=stdout,
        )
    print(summary(found, args.dry_run, target.namespace), file=stdout)
    return 0


def summary(found: list, dry_run: bool, namespace: str) -> str:
    if not found:
        return f"Nothing to prune in namespace {namespace}: no failed Job has a later success."
    entries = len({s.failed.entry for s in found})
    verb = "Would delete" if dry_run else "Deleted"
    return paragraph(
        f"{verb} {len(found)} failed Job{'s' * (len(found) > 1)} of {entries} "
        f"entr{'ies' if entries > 1 else 'y'} in namespace {namespace}."
    )
