"""The dashboard's content, as data: every entry with its state, last outcome, last success,
failures and next run; the latest runs; the latest statistics. Queries: one for every entry's
runs (jobs/web/latest.py), one for the latest runs, one for the statistics, and on one machine
one for the suspensions, whatever the history's size."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from app.chat.models import StatisticsSnapshot
from jobs import cron
from jobs.models import JobRun
from jobs.runtime.vocabulary import FAILURES
from jobs.web import words
from jobs.web.latest import Latest, latest_runs
from jobs.web.sources import BoardEntry, Source, board_entries
from jobs.web.states import DOWN, FAILING, LATE, UP, State, state_of

LATEST_RUNS = 10


@dataclass(frozen=True)
class Shown:
    """A run as the pages show it: its colour, duration, exit code's meaning and page."""

    run: JobRun

    @property
    def tone(self) -> str:
        return words.tone(self.run.status)

    @property
    def duration(self) -> str:
        return words.duration(self.run.started_at, self.run.finished_at)

    @property
    def exit(self) -> str:
        return words.exit_meaning(self.run.exit_code)

    @property
    def url(self) -> str:
        return reverse("admin:runs_jobrun_change", args=[self.run.pk])


def shown(run: JobRun | None) -> Shown | None:
    return None if run is None else Shown(run)


@dataclass
class Row:
    entry: BoardEntry
    state: State
    latest: Latest
    next_run: datetime | None
    in_words: str
    now: datetime

    @property
    def outcome(self) -> Shown | None:
        return shown(self.latest.outcome)

    @property
    def failure(self) -> Shown | None:
        """The failure to explain while failing: the latest one."""
        if self.state.word != FAILING:
            return None
        outcome = self.latest.outcome
        latest = outcome if outcome.status in FAILURES else self.latest.first_failure
        return shown(latest)

    @property
    def state_note(self) -> str:
        word, since = self.state.word, self.state.since
        if word == FAILING:
            return f"since {words.relative(since, self.now)}"
        if word == UP:
            return f"next success due {words.relative(self.state.due, self.now)}"
        if word in (LATE, DOWN):
            return f"a success was due {words.relative(self.state.due, self.now)}"
        return ""

    @property
    def outcome_age(self) -> str:
        outcome = self.latest.outcome
        return words.relative(outcome.started_at, self.now) if outcome else ""

    @property
    def success_age(self) -> str:
        success = self.latest.success
        return words.relative(success.started_at, self.now) if success else "never"

    @property
    def scheduled_age(self) -> str:
        return words.relative(self.entry.last_schedule, self.now)

    @property
    def next_in(self) -> str:
        return words.relative(self.next_run, self.now) if self.next_run else "suspended"


@dataclass
class Board:
    source: Source
    rows: list[Row]
    runs: list[Shown]
    statistics: StatisticsSnapshot | None
    now: datetime

    @property
    def statistics_age(self) -> str:
        return words.relative(self.statistics.created_at, self.now) if self.statistics else ""

    @property
    def scheduler_age(self) -> str:
        fired = self.source.scheduler
        return words.relative(fired.last_schedule_time, self.now) if fired else ""

    @property
    def alarming(self) -> int:
        return sum(row.state.tone == "bad" for row in self.rows)


def row(entry: BoardEntry, latest: Latest, now: datetime) -> Row:
    state = state_of(
        schedule=entry.schedule,
        time_zone=entry.time_zone,
        timeout_seconds=entry.timeout_seconds,
        suspended=entry.suspended,
        last_success=latest.success.started_at if latest.success else None,
        failing_since=latest.first_failure.started_at if latest.first_failure else None,
        now=now,
    )
    next_run = None if entry.suspended else cron.next_run(entry.schedule, entry.time_zone, now)
    in_words = words.schedule_in_words(entry.schedule, entry.time_zone)
    return Row(entry, state, latest, next_run, in_words, now)


def board(now: datetime) -> Board:
    source = board_entries()
    latest = latest_runs([entry.name for entry in source.entries])
    return Board(
        source=source,
        rows=[row(entry, latest[entry.name], now) for entry in source.entries],
        runs=[Shown(r) for r in JobRun.objects.defer("traceback", "arguments")[:LATEST_RUNS]],
        statistics=StatisticsSnapshot.objects.first(),
        now=now,
    )
