"""What happens to a fired run, as the Job controller does it for a CronJob's Job: its attempts as
children, how each ended, the retries after the backoff, and the signals that stop them (the
timeout's backstop, activeDeadlineSeconds, Replace, a shutdown), each with its log line.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError

from jobs.cron import zone
from jobs.runtime.logs import EventLog
from jobs.runtime.vocabulary import ExitCode
from jobs.scheduler import children, claims
from jobs.scheduler.children import Child, Gate, NotStarted
from jobs.scheduler.config import Planned
from jobs.scheduler.observe import Metrics
from jobs.scheduler.timing import attempt_ends, backoff, kill_at, retries, run_ends


@dataclass
class Run:
    """One due time of an entry with its attempts: what a Kubernetes Job is to a CronJob. It keeps
    the settings it started with: a reload does not change a run under way."""

    planned: Planned
    due: datetime
    started: datetime
    failures: int = 0
    child: Child | None = None
    retry_at: datetime | None = None
    ending: str = ""  # why the scheduler ends it (replaced, deadline, shutdown): no more attempts

    @property
    def name(self) -> str:
        return self.planned.name

    @property
    def active(self) -> bool:
        return self.child is not None or self.retry_at is not None


class Runs:
    """Every run under way, whichever entry it belongs to now."""

    def __init__(self, clock, metrics: Metrics, log: EventLog, command=children.COMMAND):
        self.clock, self.metrics, self.log, self.command = clock, metrics, log, command
        self.runs: list[Run] = []

    def __bool__(self) -> bool:
        return bool(self.runs)

    def start(self, planned: Planned, due: datetime, now: datetime, gate: Gate | None) -> Run:
        run = Run(planned, due, now)
        self.runs.append(run)
        self.start_attempt(run, gate)
        return run

    def active(self, name: str) -> bool:
        return any(run.active and not run.ending for run in self.runs if run.name == name)

    def children(self) -> int:
        return sum(1 for run in self.runs if run.child is not None)

    def retry_times(self) -> list[datetime]:
        return [run.retry_at for run in self.runs if run.retry_at is not None]

    def end_all(self, name: str | None, now: datetime, reason: str) -> None:
        """No more attempts for the active runs of an entry (of every entry: None)."""
        for run in self.runs:
            if (name is None or run.name == name) and run.active and not run.ending:
                self.end_run(run, now, reason)

    def start_attempt(self, run: Run, gate=None) -> None:
        attempt = run.failures + 1
        try:
            run.child = children.start(
                run.planned, run.due, attempt, self.clock.now(), self.command, gate
            )
        except NotStarted as e:
            self.log.error(
                "scheduler.start_failed", f"Could not start {run.name}: {e}", entry=run.name
            )
            self.failed(run, self.clock.now(), int(ExitCode.FAILED))
            return
        lateness = (run.child.started - run.due).total_seconds()
        self.log.info(
            "scheduler.fired",
            f"Started {run.name} due {local(run, run.due)}, attempt {attempt}.",
            entry=run.name,
            job=run.planned.entry.job,
            due=run.due.isoformat(),
            attempt=attempt,
            pid=run.child.pid,
            lateness_seconds=round(lateness, 3),
        )
        self.metrics.fires.labels(run.name).inc()
        if attempt == 1:
            self.metrics.lateness.observe(max(0.0, lateness))

    def reap(self, now: datetime) -> int:
        """Hear how every exited child ended; returns how many exited."""
        exited = 0
        for run in self.runs:
            code = run.child.poll() if run.child else None
            if code is not None:
                self.exited(run, code, now)
                exited += 1
        self.runs = [run for run in self.runs if run.active]
        return exited

    def exited(self, run: Run, code: int, now: datetime) -> None:
        child, run.child = run.child, None
        self.log.debug(
            "scheduler.exited",
            f"{run.name} exited with code {code}.",
            entry=run.name,
            pid=child.pid,
        )
        if child.killed:
            self.close_killed(run, child)
        if child.not_started(code):
            self.log.error(
                "scheduler.start_failed",
                f"Could not start {run.name}: {self.command[0]} cannot be run (exit {code}).",
                entry=run.name,
            )
        if code != ExitCode.SUCCEEDED and not run.ending:
            self.failed(run, now, code)

    def failed(self, run: Run, now: datetime, code: int) -> None:
        """Retry after the backoff, or say why not."""
        run.failures += 1
        timing = run.planned.timing
        if retries(timing, code, run.failures):
            delay = backoff(run.failures)
            run.retry_at = now + timedelta(seconds=delay)
            self.log.warning(
                "scheduler.retry",
                f"{run.name} failed with exit code {code}: attempt {run.failures + 1} of "
                f"{timing.backoff_limit + 1} in {delay} s.",
                entry=run.name,
                due=run.due.isoformat(),
                exit_code=code,
                delay_seconds=delay,
                retry_at=run.retry_at.isoformat(),
            )
            self.metrics.retries.labels(run.name).inc()
            return
        why = (
            "a configuration error is not retried"
            if code == ExitCode.CONFIGURATION
            else f"backoffLimit {timing.backoff_limit} reached"
        )
        self.gave_up(run, code, why)

    def gave_up(self, run: Run, code: int | None, why: str) -> None:
        self.log.error(
            "scheduler.gave_up",
            f"{run.name} due {local(run, run.due)} failed: {why}.",
            entry=run.name,
            due=run.due.isoformat(),
            exit_code=code,
        )

    def retry_due(self, now: datetime) -> int:
        started = 0
        for run in self.runs:
            if run.retry_at is not None and now >= run.retry_at:
                run.retry_at = None
                self.start_attempt(run)
                started += 1
        return started

    # Deadlines and signals.

    def enforce_deadlines(self, now: datetime) -> int:
        """SIGTERM a child past its timeout (its own deadline failed to end it) or past the run's
        activeDeadlineSeconds; SIGKILL one still there after its grace. Returns signals sent."""
        sent = 0
        for run in self.runs:
            ends = run_ends(run.planned.timing, run.started)
            if ends is not None and now >= ends and not run.ending:
                sent += self.end_run(run, now, "deadline")
            child = run.child
            if (
                child
                and child.terminated is None
                and now >= attempt_ends(run.planned.timing, child.started)
            ):
                sent += self.terminate(run, now, "timeout")
            if child and child.terminated and not child.killed:
                if now >= kill_at(run.planned.timing, child.terminated):
                    sent += self.kill(run)
        return sent

    def end_run(self, run: Run, now: datetime, reason: str) -> int:
        """No more attempts; SIGTERM the one running."""
        run.ending, run.retry_at = reason, None
        if run.child is None:
            if reason == "deadline":
                self.gave_up(run, None, "activeDeadlineSeconds passed before the retry")
            return 0
        return self.terminate(run, now, reason)

    def terminate(self, run: Run, now: datetime, reason: str) -> int:
        child = run.child
        if child.terminated is not None:
            return 0
        child.terminate(now, reason)
        self.signalled(run, child, "SIGTERM")
        return 1

    def kill(self, run: Run) -> int:
        run.child.kill()
        self.signalled(run, run.child, "SIGKILL")
        return 1

    def signalled(self, run: Run, child: Child, signal_name: str) -> None:
        timing = run.planned.timing
        why = {
            "timeout": f"still running {timing.timeout} s (timeout) and more after its start",
            "deadline": f"past activeDeadlineSeconds {timing.run_deadline}",
            "replaced": "a new run replaces it (concurrencyPolicy: Replace)",
            "shutdown": "the scheduler is stopping",
        }[child.reason]
        if signal_name == "SIGKILL":
            why = f"still there {timing.grace} s after SIGTERM (terminationGracePeriodSeconds)"
        self.log.warning(
            "scheduler.killed",
            f"Sent {signal_name} to {run.name} (pid {child.pid}): {why}.",
            entry=run.name,
            pid=child.pid,
            signal=signal_name,
            reason=child.reason,
        )
        self.metrics.kills.labels(run.name, signal_name, child.reason).inc()

    def close_killed(self, run: Run, child: Child) -> None:
        """A SIGKILLed child could not record its end: the scheduler does, for the next reader."""
        timed_out = child.reason in ("timeout", "deadline")
        error = f"killed by the scheduler (SIGKILL): {child.reason}"
        try:
            claims.close_killed(run.name, run.due, timed_out, error)
        except DatabaseError as e:
            self.log.error("scheduler.record_failed", f"Cannot record {run.name}'s end: {e}")


def local(run: Run, due: datetime) -> str:
    """A due time as the run's time zone shows it."""
    return due.astimezone(zone(run.planned.timing.time_zone)).strftime("%Y-%m-%d %H:%M %Z")
