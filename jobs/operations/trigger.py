"""`python -m jobs trigger ENTRY [--follow] [--timeout S]`: a manual run of the entry, started
as Run now starts one (jobs/run_now.py) and recorded as started by user@host. In a cluster, the
Job `kubectl create job --from` creates; with --follow, its log until it ends and its exit code.
On this machine, `python -m jobs run` (in the background without --follow). What this command
says about the run goes to stderr: stdout is the job's log."""

import contextlib
import signal
import subprocess
import sys
import threading

from django.conf import settings

from jobs import entries as chart_entries
from jobs import run_now
from jobs.operations.target import Target, operator, resolve
from jobs.operations.text import paragraph


def tell(text: str) -> None:
    print(paragraph(text), file=sys.stderr, flush=True)


def trigger(args, stdout) -> int:
    target = resolve(args)
    if target.local:
        entry = chart_entries.find(args.entry, chart_entries.load(args.values))
        return trigger_here(entry, args.follow, stdout)
    return trigger_in_cluster(target, args.entry, args.follow, args.timeout, stdout)


def trigger_in_cluster(target: Target, name: str, follow: bool, timeout: int, stdout) -> int:
    from k8s.cronjobs import find_cronjob
    from k8s.follow import follow as follow_job
    from k8s.run_now import create_manual_job

    cronjob = find_cronjob(target.cluster, target.namespace, name, target.release)
    created = create_manual_job(target.cluster, target.namespace, cronjob, operator())
    job = created["metadata"]["name"]
    source = cronjob["metadata"]["name"]
    if not follow:
        print(
            f"Created Job {job} from CronJob {source} in namespace {target.namespace}.", file=stdout
        )
        print(f"Its log: kubectl -n {target.namespace} logs -f job/{job}", file=stdout)
        return 0
    tell(
        f"Created Job {job} from CronJob {source}; waiting up to {timeout} s for its pod to start."
    )
    outcome = follow_job(
        target.cluster,
        target.namespace,
        job,
        timeout,
        lambda line: print(line, file=stdout, flush=True),
    )
    tell(outcome.sentence)
    return outcome.exit_code


def trigger_here(entry: chart_entries.Entry, follow: bool, stdout) -> int:
    from jobs.web.sources import from_entry

    here = from_entry(entry)
    if not follow:
        started = run_now.on_this_machine(here, operator())
        print(paragraph(started.sentence), file=stdout)
        return 0
    tell(f"Running {entry.name} on this machine: python -m jobs run {here.command}")
    return run_here(here, stdout)


def run_here(entry, stdout) -> int:
    """The run in the foreground, its output passed on line by line, its exit code returned.
    SIGTERM is passed on to it, so it ends as a run ends (143) instead of being orphaned."""
    environment = run_now.manual_environment(entry, run_now.local_name(entry.name), operator())
    # The same log format this command would use (text at a terminal), not the pipe's json.
    environment["LOG_FORMAT"] = settings.LOG_FORMAT
    child = subprocess.Popen(
        [sys.executable, "-m", "jobs", "run", entry.job, *entry.args],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with passing_on_sigterm(child):
        while True:
            try:
                for line in child.stdout:
                    stdout.write(line)
                    stdout.flush()
                return child.wait()
            except KeyboardInterrupt:
                continue  # the run had the same Ctrl-C: its last lines are still coming


@contextlib.contextmanager
def passing_on_sigterm(child: subprocess.Popen):
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals (a caller in a thread keeps its own)
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
