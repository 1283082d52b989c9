"""`make bench`: the housekeeping conversation deletion against its floor, on PostgreSQL.

What it does (issue 2, section 8):

1. Builds a template database once per run: `manage.py migrate`, then pure SQL
   (`INSERT ... SELECT generate_series`, secondary indexes and foreign keys dropped during the
   load and recreated after, exactly as the migration defined them). Default scale: 1,000,000
   conversations, 5 messages each on average (5,000,000), 1,000 users with a skewed share of
   conversations. Ids follow creation time, as in a real table: the oldest 60% were created
   90 to 31 days before the build, the rest 29 days ago to now, each with +-10 minutes of jitter
   (so ids and times correlate without being perfectly sorted). The one-day gap around the
   30-day cutoff means every strategy deletes exactly the same rows whenever it runs. Then
   VACUUM (FREEZE, ANALYZE), so no strategy pays for hint bits or missing statistics.
2. Before each measured run: `CREATE DATABASE run TEMPLATE template STRATEGY FILE_COPY`, a
   CHECKPOINT and sync(), so every run starts from the same files, clean buffers and no
   pending writeback. Autovacuum is off on the two tables (reloption) so a vacuum started by
   one run's dead rows never lands in another run's timing.
3. Strategies, interleaved round by round (floor, django, job, floor, ...) so drift from the
   other engineers' load on this 2-core machine spreads over all of them:
   - floor: one transaction, `DELETE FROM chat_conversation WHERE created_at < cutoff`, the
     foreign key's ON DELETE CASCADE (DB_CASCADE) deleting the messages; sent by this process
     over an open connection, timed from the DELETE to the COMMIT's return.
   - django: `Conversation.objects.filter(created_at__lt=cutoff).delete()` in a process of its
     own (bench/django_delete.py).
   - job: `python -m jobs run housekeeping --task conversations`, the real thing.
   Process strategies are timed from spawn to exit (interpreter and Django start-up included:
   that is what a CronJob pays).
4. Figures per run:
   - wall time: time.perf_counter() around the strategy.
   - peak RSS: ru_maxrss from os.wait4() on that very child (its own high-water mark, not
     the max over every child like RUSAGE_CHILDREN).
   - longest transaction: a thread polls pg_stat_activity every 20 ms for client backends in
     the run's database and remembers, per (pid, xact_start), the last clock_timestamp() at
     which the transaction was still open. The longest is the max of (last seen - xact_start):
     a lower bound at most one polling interval (plus one query) short of the truth;
     transactions shorter than the interval may be missed, which cannot hide one over 0.25 s.
     Every statement counts, a read-only one in autocommit too: it holds its snapshot as long.
   - correctness: after each run, no conversation older than the cutoff, no message without
     its conversation, and exactly the expected number of conversations and messages left;
     the job's own run.finished counts must match the rows it deleted.
5. Prints medians (BENCH_REPEAT rounds, default 3) with each run's figures, the ratio to the
   floor (median over median, all from this run) and the targets for the job. Exits 0 whatever
   the figures: this is a measurement, never a test. Only a broken setup or a wrong result
   (rows left behind, counts off) exits 1.

Environment: BENCH_CONVERSATIONS (1000000), BENCH_MESSAGES_PER_CONVERSATION (5), BENCH_USERS
(1000), BENCH_REPEAT (3), BENCH_STRATEGIES (floor,django,job), BENCH_PG
(postgres://postgres@127.0.0.1:5432), BENCH_DB (cronsuite_bench: prefix of the databases),
BENCH_KEEP=1 keeps the template database (a later run migrates and reuses it for up to 12 hours;
a baseline checkout must then know the current schema),
BENCH_REBUILD=1 ignores a kept template, BENCH_BASELINE_ROOT (see below) with strategy baseline.
CONVERSATION_RETENTION_DAYS, HOUSEKEEPING_BATCH_MILLISECONDS and HOUSEKEEPING_BATCH_SIZE are passed
to the job as usual.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PREFIX = os.environ.get("BENCH_DB", "cronsuite_bench")
TEMPLATE = f"{PREFIX}_template"
CLONE = f"{PREFIX}_run"
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "1000000"))
PER_CONVERSATION = int(os.environ.get("BENCH_MESSAGES_PER_CONVERSATION", "5"))
USERS = int(os.environ.get("BENCH_USERS", "1000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
STRATEGIES = os.environ.get("BENCH_STRATEGIES", "floor,django,job").split(",")
# Another checkout (e.g. `git archive <commit> | tar -x -C DIR`) whose job runs as strategy
# "baseline" in the same rounds: before/after figures of a change, measured side by side.
BASELINE_ROOT = os.environ.get("BENCH_BASELINE_ROOT", "")
RETENTION_DAYS = int(os.environ.get("CONVERSATION_RETENTION_DAYS") or 30)
OLD_SHARE = 0.6
TEMPLATE_MAX_AGE = timedelta(hours=12)  # the data's one-day gap around the cutoff, with margin
SAMPLE_INTERVAL = 0.02

TARGET_RATIO = 1.3
TARGET_RSS_MB = 100
# Issue 12: no transaction over 0.25 s at any table size (the batches are sized by time).
TARGET_TRANSACTION_S = 0.25


def url(database: str) -> str:
    return f"{PG}/{database}"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def admin() -> psycopg.Connection:
    return psycopg.connect(url("postgres"), autocommit=True)


def drop_database(name: str) -> None:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----------------------------------------------------------------------------- the dataset


@dataclass
class Dataset:
    conversations: int
    messages: int
    old_conversations: int
    old_messages: int
    built_at: str  # ISO timestamp the creation times are relative to


# What a kept template must match to be reused.
SPEC = {
    "conversations": CONVERSATIONS,
    "per_conversation": PER_CONVERSATION,
    "users": USERS,
    "retention_days": RETENTION_DAYS,
}


def created_at(ident: str, old: int, total: int, t0: str) -> str:
    """SQL for the creation time of conversation `ident` (an SQL expression in 1..total)."""
    return f"""(CASE WHEN {ident} <= {old}
        THEN '{t0}'::timestamptz - interval '90 days' + ({ident} - 1) * (interval '59 days' / {old})
        ELSE '{t0}'::timestamptz - interval '29 days'
             + ({ident} - {old} - 1) * (interval '29 days' / {max(total - old, 1)})
        END + (({ident} * 7919) % 1201 - 600) * interval '1 second')"""


def migrate(database: str) -> None:
    argv = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(argv, cwd=ROOT, env=job_environment(database), check=True)


def build_template() -> Dataset:
    drop_database(TEMPLATE)
    with admin() as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    migrate(TEMPLATE)
    n, old = CONVERSATIONS, round(CONVERSATIONS * OLD_SHARE)
    m = n * PER_CONVERSATION
    with psycopg.connect(url(TEMPLATE), autocommit=True) as conn:
        t0 = conn.execute("SELECT now()").fetchone()[0].isoformat()
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET synchronous_commit = off")
        tables = "'chat_conversation'::regclass, 'chat_message'::regclass"
        indexes = conn.execute(
            f"""SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid IN ({tables}) AND NOT indisprimary AND NOT indisunique"""
        ).fetchall()
        foreign_keys = conn.execute(
            f"""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND conrelid IN ({tables})"""
        ).fetchall()
        for table, name, _ in foreign_keys:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")

        conn.execute(
            f"""INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT u, '!', false, 'bench' || u, '', '', 'bench' || u || '@example.com', false, true,
                   '{t0}'::timestamptz - interval '400 days'
            FROM generate_series(1, {USERS}) u"""
        )
        # Owners skewed: a few users own many conversations (u = USERS * x^2, x uniform).
        conn.execute(
            f"""INSERT INTO chat_conversation (id, title, created_at, owner_id)
            SELECT i, 'Conversation ' || i, {created_at("i", old, n, t0)},
                   1 + floor({USERS} * power(((i * 2654435761) % 1000003) / 1000003.0, 2))::int
            FROM generate_series(1::bigint, {n}) i"""
        )
        # Message m belongs to conversation (m-1)/5+1, shifted by -2..+2: message ids follow
        # time, conversations have 1 to ~9 messages, 5 on average, and exactly n*5 in total.
        conn.execute(
            f"""INSERT INTO chat_message (id, body, created_at, conversation_id)
            SELECT m, 'Message ' || m || ': lorem ipsum dolor sit amet, consectetur adipiscing elit.',
                   {created_at("c", old, n, t0)} + ((m * 31) % 3600) * interval '1 second', c
            FROM (SELECT m, least({n}, greatest(1, (m - 1) / {PER_CONVERSATION} + 1 + (m * 40503) % 5 - 2)) AS c
                  FROM generate_series(1::bigint, {m}) m) s"""
        )
        for name, definition in indexes:
            conn.execute(definition)
        for table, name, definition in foreign_keys:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table, count in (("auth_user", USERS), ("chat_conversation", n), ("chat_message", m)):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count})")
        for table in ("chat_conversation", "chat_message"):
            conn.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        conn.execute("VACUUM (FREEZE, ANALYZE) auth_user, chat_conversation, chat_message")
        cutoff = f"'{t0}'::timestamptz - interval '{RETENTION_DAYS} days'"
        old_conversations = conn.execute(
            f"SELECT count(*) FROM chat_conversation WHERE created_at < {cutoff}"
        ).fetchone()[0]
        old_messages = conn.execute(
            f"""SELECT count(*) FROM chat_message m JOIN chat_conversation c ON c.id = m.conversation_id
            WHERE c.created_at < {cutoff}"""
        ).fetchone()[0]
        dataset = Dataset(n, m, old_conversations, old_messages, t0)
        if old_conversations != old:
            raise SystemExit(f"dataset: {old_conversations} old conversations, expected {old}")
        comment = json.dumps({**SPEC, "dataset": dataset.__dict__}).replace("'", "''")
        conn.execute(f"COMMENT ON DATABASE \"{TEMPLATE}\" IS '{comment}'")
    return dataset


def kept_template() -> Dataset | None:
    """The template a previous BENCH_KEEP=1 run left, if it has this spec and is recent."""
    if os.environ.get("BENCH_REBUILD"):
        return None
    with admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [TEMPLATE],
        ).fetchone()
    if not row or not row[0]:
        return None
    try:
        kept = json.loads(row[0])
        dataset = Dataset(**kept.pop("dataset"))
    except (ValueError, TypeError, KeyError):
        return None
    age = datetime.now(UTC) - datetime.fromisoformat(dataset.built_at)
    if kept != SPEC or age > TEMPLATE_MAX_AGE:
        return None
    return dataset


def clone() -> None:
    drop_database(CLONE)
    with admin() as conn:
        # FILE_COPY: a file-level copy (after a checkpoint), far faster than WAL_LOG at this size.
        conn.execute(f'CREATE DATABASE "{CLONE}" TEMPLATE "{TEMPLATE}" STRATEGY FILE_COPY')
        conn.execute("CHECKPOINT")
    os.sync()


def verify(dataset: Dataset) -> dict:
    with psycopg.connect(url(CLONE), autocommit=True) as conn:
        cutoff = f"'{dataset.built_at}'::timestamptz - interval '{RETENTION_DAYS} days'"
        old = conn.execute(
            f"SELECT count(*) FROM chat_conversation WHERE created_at < {cutoff}"
        ).fetchone()[0]
        orphans = conn.execute(
            """SELECT count(*) FROM chat_message m WHERE m.conversation_id IS NULL
            OR NOT EXISTS (SELECT 1 FROM chat_conversation c WHERE c.id = m.conversation_id)"""
        ).fetchone()[0]
        conversations = conn.execute("SELECT count(*) FROM chat_conversation").fetchone()[0]
        messages = conn.execute("SELECT count(*) FROM chat_message").fetchone()[0]
    problems = []
    if old:
        problems.append(f"{old} old conversations left")
    if orphans:
        problems.append(f"{orphans} messages without a conversation")
    if conversations != dataset.conversations - dataset.old_conversations:
        problems.append(
            f"{conversations} conversations left, expected {dataset.conversations - dataset.old_conversations}"
        )
    if messages != dataset.messages - dataset.old_messages:
        problems.append(
            f"{messages} messages left, expected {dataset.messages - dataset.old_messages}"
        )
    return {"ok": not problems, "problems": problems}


# ----------------------------------------------------------------------------- measurement


class LongestTransaction(threading.Thread):
    """Polls pg_stat_activity: the longest transaction seen open in one database (see top)."""

    def __init__(self, database: str):
        super().__init__(daemon=True)
        self.database = database
        self.stopping = threading.Event()
        self.open_until: dict[tuple[int, datetime], datetime] = {}
        self.samples = 0
        self.conn = admin()  # connected before the strategy starts

    def run(self) -> None:
        while not self.stopping.is_set():
            rows = self.conn.execute(
                """SELECT pid, xact_start, clock_timestamp() FROM pg_stat_activity
                WHERE datname = %s AND backend_type = 'client backend' AND xact_start IS NOT NULL""",
                [self.database],
            ).fetchall()
            for pid, started, seen in rows:
                self.open_until[(pid, started)] = seen
            self.samples += 1
            self.stopping.wait(SAMPLE_INTERVAL)

    def stop(self) -> float:
        self.stopping.set()
        self.join()
        self.conn.close()
        return max(
            ((seen - started).total_seconds() for (_, started), seen in self.open_until.items()),
            default=0.0,
        )


@dataclass
class Result:
    strategy: str
    wall: float
    rss_mb: float | None
    longest_transaction: float
    transactions_seen: int
    verified: dict
    extra: dict = field(default_factory=dict)


def job_environment(database: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRONSUITE_", "PUSHGATEWAY"))}
    env.pop("JOB_MODULES", None)
    env.update(DATABASE_URL=url(database), LOG_FORMAT="json", DJANGO_SETTINGS_MODULE="app.settings")
    return env


def run_process(argv: list[str], cwd: Path = ROOT) -> tuple[float, float, int, str, str]:
    """(wall seconds, peak RSS MB, exit code, stdout, stderr) of one child process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env=job_environment(CLONE), stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read()


def strategy_floor(dataset: Dataset) -> tuple[float, float | None, dict]:
    with psycopg.connect(url(CLONE)) as conn:  # not autocommit: one transaction
        started = time.perf_counter()
        deleted = conn.execute(
            "DELETE FROM chat_conversation WHERE created_at < now() - make_interval(days => %s)",
            [RETENTION_DAYS],
        ).rowcount
        conn.commit()
        wall = time.perf_counter() - started
    problems = [] if deleted == dataset.old_conversations else [f"deleted {deleted} conversations"]
    return wall, None, {"problems": problems}


def strategy_django(dataset: Dataset) -> tuple[float, float | None, dict]:
    wall, rss, code, out, err = run_process([sys.executable, "bench/django_delete.py"])
    problems = []
    if code != 0:
        problems.append(f"exit {code}: {err.strip()[-500:]}")
    else:
        deleted = json.loads(out.strip().splitlines()[-1])["conversations"]
        if deleted != dataset.old_conversations:
            problems.append(f"deleted {deleted} conversations")
    return wall, rss, {"problems": problems}


def strategy_job(dataset: Dataset, root: Path = ROOT) -> tuple[float, float | None, dict]:
    wall, rss, code, out, err = run_process(
        [sys.executable, "-m", "jobs", "run", "housekeeping", "--task", "conversations"], cwd=root
    )
    problems, extra = [], {}
    summary = next(
        (
            line
            for line in map(_json_or_none, out.splitlines())
            if line and line.get("event") == "run.finished"
        ),
        None,
    )
    if code != 0 or summary is None or summary.get("status") != "succeeded":
        problems.append(f"exit {code}: {(summary or {}).get('error') or err.strip()[-500:]}")
    else:
        counts = summary.get("counts", {})
        expected = {"conversations": dataset.old_conversations, "messages": dataset.old_messages}
        if {k: counts.get(k, 0) for k in expected} != expected:
            problems.append(f"job reported {counts}, deleted {expected}")
        extra["job_seconds"] = summary.get("duration_seconds")
    return wall, rss, {"problems": problems, **extra}


def _json_or_none(line: str) -> dict | None:
    try:
        return json.loads(line)
    except ValueError:
        return None


def strategy_baseline(dataset: Dataset) -> tuple[float, float | None, dict]:
    return strategy_job(dataset, Path(BASELINE_ROOT))


LABELS = {
    "floor": "floor: one SQL DELETE, DB cascade",
    "django": "Django QuerySet.delete()",
    "job": "job: housekeeping --task conversations",
    "baseline": f"same job from {BASELINE_ROOT}",
}
RUNNERS = {
    "floor": strategy_floor,
    "django": strategy_django,
    "job": strategy_job,
    "baseline": strategy_baseline,
}


def measure(name: str, dataset: Dataset) -> Result:
    clone()
    sampler = LongestTransaction(CLONE)
    sampler.start()
    try:
        wall, rss, extra = RUNNERS[name](dataset)
    finally:
        longest = sampler.stop()
    verified = verify(dataset)
    problems = extra.pop("problems") + verified["problems"]
    result = Result(
        name,
        wall,
        rss,
        longest,
        len(sampler.open_until),
        {"ok": not problems, "problems": problems},
        extra,
    )
    say(
        f"  {name:<6} {wall:7.2f} s"
        + (f"  RSS {rss:6.1f} MB" if rss is not None else "")
        + f"  longest transaction {longest:.2f} s ({result.transactions_seen} seen)"
        + (f"  job {extra['job_seconds']:.2f} s" if extra.get("job_seconds") is not None else "")
        + ("  verified" if result.verified["ok"] else f"  WRONG: {'; '.join(problems)}")
    )
    return result


# ----------------------------------------------------------------------------- report


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def report(dataset: Dataset, results: dict[str, list[Result]], elapsed: float) -> None:
    floor = median(r.wall for r in results.get("floor", []))
    print()
    print(
        f"Housekeeping deletion: {dataset.old_conversations:,} of {dataset.conversations:,} conversations "
        f"and {dataset.old_messages:,} of {dataset.messages:,} messages deleted; "
        f"medians of {REPEAT} round(s); PostgreSQL at {PG}; {elapsed / 60:.1f} min in all."
    )
    header = f"{'strategy':<40} {'wall s':>7} {'x floor':>8} {'peak RSS MB':>12} {'longest tx s':>13}  runs (wall s)"
    print(header)
    print("-" * len(header))
    for name, runs in results.items():
        wall = median(r.wall for r in runs)
        rss = median(r.rss_mb for r in runs)
        longest = median(r.longest_transaction for r in runs)
        ratio = f"{wall / floor:.2f}" if floor else "-"
        print(
            f"{LABELS[name]:<40} {wall:7.2f} {ratio:>8} {(f'{rss:.0f}' if rss is not None else '-'):>12} "
            f"{longest:13.2f}  {' '.join(f'{r.wall:.2f}' for r in runs)}"
        )
    jobs = results.get("job")
    if jobs:
        wall = median(r.wall for r in jobs)
        job_seconds = median(r.extra.get("job_seconds") for r in jobs)
        if job_seconds is not None:
            print(
                f"(job wall includes process start-up: the run itself reported {job_seconds:.2f} s)"
            )
        rss = max(r.rss_mb for r in jobs)
        longest = max(r.longest_transaction for r in jobs)
        print()
        print("Targets for the job (worst run for RSS and transactions):")
        rows = [
            (
                f"wall time <= {TARGET_RATIO}x the floor",
                f"{wall / floor:.2f}x" if floor else "-",
                floor and wall / floor <= TARGET_RATIO,
            ),
            (f"peak RSS <= {TARGET_RSS_MB} MB", f"{rss:.0f} MB", rss <= TARGET_RSS_MB),
            (
                f"no transaction > {TARGET_TRANSACTION_S:g} s",
                f"{longest:.2f} s",
                longest <= TARGET_TRANSACTION_S,
            ),
        ]
        # A run that failed did not do the work: its figures judge nothing.
        failed = any(not r.verified["ok"] for r in jobs)
        for label, value, met in rows:
            verdict = "not judged: a run failed" if failed else "met" if met else "NOT MET"
            print(f"  {label:<32} {value:>10}  {verdict}")
    wrong = [r for runs in results.values() for r in runs if not r.verified["ok"]]
    print()
    print(
        "Correctness: "
        + (
            "every run left exactly the expected rows."
            if not wrong
            else f"{len(wrong)} run(s) WRONG (see above)."
        )
    )


def main() -> int:
    began = time.perf_counter()
    unknown = [s for s in STRATEGIES if s not in RUNNERS]
    if unknown:
        print(f"error: unknown strategy {unknown}; known: {', '.join(RUNNERS)}", file=sys.stderr)
        return 2
    if "baseline" in STRATEGIES and not (Path(BASELINE_ROOT) / "jobs").is_dir():
        print(
            "error: strategy baseline needs BENCH_BASELINE_ROOT, a checkout of cronsuite",
            file=sys.stderr,
        )
        return 2
    try:
        dataset = kept_template()
        if dataset:
            say(f"Reusing {TEMPLATE} built at {dataset.built_at}.")
            # Migrations added since it was built (a new JobRun column) would fail the job.
            migrate(TEMPLATE)
        else:
            say(
                f"Building {TEMPLATE}: {CONVERSATIONS:,} conversations, {CONVERSATIONS * PER_CONVERSATION:,} messages."
            )
            started = time.perf_counter()
            dataset = build_template()
            say(f"Built in {time.perf_counter() - started:.0f} s.")
        results: dict[str, list[Result]] = {name: [] for name in STRATEGIES}
        for round_ in range(1, REPEAT + 1):
            say(f"Round {round_} of {REPEAT}:")
            for name in STRATEGIES:
                results[name].append(measure(name, dataset))
        report(dataset, results, time.perf_counter() - began)
    finally:
        drop_database(CLONE)
        if not os.environ.get("BENCH_KEEP"):
            drop_database(TEMPLATE)
    wrong = any(not r.verified["ok"] for runs in results.values() for r in runs)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
