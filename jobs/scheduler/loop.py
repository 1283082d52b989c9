"""The scheduler's loop, one tick at a time: reap the children that exited, stop the ones past
their time, start the retries that are due (jobs/scheduler/runs.py), and, while leading, fire
every entry whose time has come. Each step is a method tests call directly with the time they
choose; `run()` only repeats `tick()` and reads the flags the signal handlers set
(jobs/scheduler/wakeup.py).
"""

import time
from collections.abc import Callable
from datetime import datetime

from django.db import DatabaseError

from jobs.cron import zone
from jobs.runtime.logs import EventLog
from jobs.runtime.vocabulary import ExitCode
from jobs.scheduler import children, claims
from jobs.scheduler.config import Plan, Planned
from jobs.scheduler.observe import Metrics
from jobs.scheduler.runs import Runs
from jobs.scheduler.timing import Action, action, latest_due, next_due

# The longest nap: the clock is read again this often (NTP steps, a test's clock file), and a
# standby tries the leader lock this often.
MAX_SLEEP_SECONDS = 1.0
# How often the leader checks that the session holding its lock is still there.
VERIFY_SECONDS = 5.0


class Scheduler:
    def __init__(self, plan: Plan, clock, leadership, metrics: Metrics, command=children.COMMAND):
        self.plan, self.clock, self.leadership, self.metrics = plan, clock, leadership, metrics
        self.command = command
        self.log = EventLog()
        self.started = clock.now()
        self.after: dict[str, datetime] = {}  # per entry, the latest due time handled
        self.next_at: dict[str, datetime] = {}  # per entry, its next due time
        self.runs = Runs(clock, metrics, self.log, command)
        self.leading = False
        self.said_standby = False
        self.verified = 0.0
        self.claim_errors: set[tuple[str, datetime]] = set()
        self.count_entries()

    def count_entries(self) -> None:
        self.metrics.entries.labels("active").set(len(self.plan.entries))
        self.metrics.entries.labels("suspended").set(len(self.plan.suspended))

    # The loop.

    def run(self, wakeup, reload: Callable[[], Plan]) -> int:
        """Until SIGTERM or SIGINT; then stop the children within their grace and return 0."""
        while not wakeup.stop:
            if wakeup.reload:
                wakeup.reload = False
                self.try_reload(reload)
            wakeup.wait(self.tick())
        self.log.info(
            "scheduler.stopping", f"{wakeup.stop}: stopping.", children=self.runs.children()
        )
        self.shutdown(wakeup)
        return int(ExitCode.SUCCEEDED)

    def tick(self) -> float:
        """One round; returns the seconds until the next thing to do."""
        now = self.clock.now()
        self.runs.reap(now)
        self.runs.enforce_deadlines(now)
        self.runs.retry_due(now)
        if self.lead(now):
            self.fire_due(now)
        self.metrics.tick(self.leading, self.runs.children())
        return self.sleep_seconds(self.clock.now())

    def sleep_seconds(self, now: datetime) -> float:
        times = [*self.next_at.values(), *self.runs.retry_times()]
        if not times:
            return MAX_SLEEP_SECONDS
        return max(0.0, min(MAX_SLEEP_SECONDS, (min(times) - now).total_seconds()))

    # Leadership.

    def lead(self, now: datetime) -> bool:
        """Standby: try the lock. Leader: check now and then that it is still held."""
        if not self.leading and self.leadership.try_lead():
            self.leading = True
            self.metrics.set_role(True)
            self.verified = time.monotonic()
            self.log.info("scheduler.leader", "This scheduler is the leader: it fires the entries.")
            self.catch_up(now)
        elif self.leading and time.monotonic() - self.verified > VERIFY_SECONDS:
            self.verified = time.monotonic()
            if not self.leadership.still_leading():
                self.standby()
        elif not self.leading and not self.said_standby:
            self.said_standby = True
            self.log.info(
                "scheduler.standby",
                "Another scheduler leads (it holds the leader lock): standing by to take over.",
            )
        return self.leading

    def standby(self) -> None:
        self.leading, self.said_standby = False, True
        self.metrics.set_role(False)
        self.after.clear()
        self.next_at.clear()
        self.log.warning(
            "scheduler.leadership_lost",
            "Lost the leader lock's database session: standing by; running children go on.",
        )

    def catch_up(self, now: datetime) -> None:
        """Each entry counts its fires from the last one fired (by any scheduler, before any
        downtime), else from this process's start: at most one run owed per entry."""
        try:
            fired = claims.last_fires(list(self.plan.entries))
        except DatabaseError as e:
            self.log.error("scheduler.database_error", f"Cannot read the last fires: {e}")
            fired = {}
        for name in self.plan.entries:
            self.set_after(name, fired.get(name, self.started))

    def set_after(self, name: str, when: datetime) -> None:
        self.after[name] = when
        self.next_at[name] = next_due(self.plan.entries[name].timing, when)

    # Fires.

    def fire_due(self, now: datetime) -> int:
        """Start every entry whose time has come: Forbid, Replace and misfire decided first,
        then one claim for them all; returns how many started."""
        starting: dict[str, tuple[datetime, Action]] = {}
        for name, when in self.due_now(now).items():
            decided = action(self.plan.entries[name].timing, when, now, self.runs.active(name))
            if decided in (Action.MISSED, Action.SKIP):
                self.skip(name, when, now, "missed" if decided == Action.MISSED else "forbid")
                self.set_after(name, when)
            else:
                starting[name] = (when, decided)
        claimed = self.claim({name: when for name, (when, _) in starting.items()})
        if claimed is None:
            return 0  # the database cannot say: tried again at the next tick
        won, held = claimed
        with children.Gate() as gate:  # the children of this fire start together, once all exist
            for name, (when, decided) in starting.items():
                self.set_after(name, when)
                if name in won:
                    self.fire(self.plan.entries[name], when, now, decided, gate)
                else:
                    self.skip(name, when, now, "suspended" if name in held else "claimed")
        return len(won)

    def due_now(self, now: datetime) -> dict[str, datetime]:
        found = {}
        for name, planned in self.plan.entries.items():
            if now >= self.next_at[name]:
                due = latest_due(planned.timing, self.after[name], now)
                found[name] = due or self.next_at[name]
        return found

    def claim(self, dues: dict[str, datetime]) -> tuple[set[str], set[str]] | None:
        """(the entries this scheduler may fire, the ones suspended on this machine), or None
        when the database cannot say."""
        if not dues:
            return set(), set()
        try:
            return claims.claim(dues)
        except DatabaseError as e:
            self.database_error(dues, e)
            return None

    def database_error(self, dues: dict[str, datetime], error: Exception) -> None:
        # One line per due time, not one per tick while the database is down.
        fresh = set(dues.items()) - self.claim_errors
        if fresh:
            self.log.error("scheduler.database_error", f"Cannot fire due runs yet: {error}")
        self.claim_errors |= fresh

    def fire(
        self, planned: Planned, due: datetime, now: datetime, decided: Action, gate=None
    ) -> None:
        if decided == Action.REPLACE:
            self.runs.end_all(planned.name, now, "replaced")
        self.runs.start(planned, due, now, gate)

    def skip(self, name: str, due: datetime, now: datetime, reason: str) -> None:
        late = (now - due).total_seconds()
        messages = {
            "forbid": "its previous run is still active (concurrencyPolicy: Forbid)",
            "missed": f"{late:.0f} s late, past startingDeadlineSeconds",
            "claimed": "another scheduler fired it already",
            "suspended": "suspended on this machine (python -m jobs resume releases it)",
        }
        self.log.warning(
            "scheduler.skipped",
            f"Skipped {name} due {self.local(name, due)}: {messages[reason]}.",
            entry=name,
            due=due.isoformat(),
            reason=reason,
        )
        self.metrics.skips.labels(name, reason).inc()

    # Attempts.

    def shutdown(self, wakeup) -> None:
        """SIGTERM every child, then wait for them, SIGKILLing each after its grace."""
        self.runs.end_all(None, self.clock.now(), "shutdown")
        while self.runs:
            now = self.clock.now()
            self.runs.reap(now)
            self.runs.enforce_deadlines(now)
            wakeup.wait(0.1 if self.runs else 0)
        self.leadership.release()
        self.log.info("scheduler.stopped", "Stopped.")

    # Reload.

    def try_reload(self, reload: Callable[[], Plan]) -> bool:
        """SIGHUP: the new values apply from each entry's next due time; a broken file keeps the
        old schedule."""
        try:
            plan = reload()
        except Exception as e:  # noqa: BLE001 - any broken file keeps the schedule running
            self.log.error("scheduler.reload_failed", f"Reload failed; the old schedule stays: {e}")
            self.metrics.reloads.labels("failed").inc()
            return False
        self.reload(plan, self.clock.now())
        return True

    def reload(self, plan: Plan, now: datetime) -> None:
        old, self.plan = self.plan, plan
        self.count_entries()
        added = sorted(set(plan.entries) - set(old.entries))
        removed = sorted(set(old.entries) - set(plan.entries))
        changed = sorted(
            name
            for name in set(plan.entries) & set(old.entries)
            if not same(old.entries[name], plan.entries[name])
        )
        for name in removed:
            self.after.pop(name, None)
            self.next_at.pop(name, None)
        if self.leading:
            for name in (*added, *changed):
                self.set_after(name, now)
        self.log.info(
            "scheduler.reloaded",
            f"Reloaded: {len(plan.entries)} entries ({len(added)} added, {len(changed)} changed, "
            f"{len(removed)} removed).",
            added=added,
            changed=changed,
            removed=removed,
        )
        self.metrics.reloads.labels("ok").inc()

    def local(self, name: str, due: datetime) -> str:
        """A due time as the entry's time zone shows it."""
        planned = self.plan.entries.get(name)
        place = zone(planned.timing.time_zone if planned else "UTC")
        return due.astimezone(place).strftime("%Y-%m-%d %H:%M %Z")


def same(old: Planned, new: Planned) -> bool:
    """Same settings, whatever the look-back computed at each load."""
    return (old.entry, old.config, old.env) == (new.entry, new.config, new.env)
