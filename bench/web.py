"""`make bench-web`: the scheduler dashboard and the run list, rendered at 1,000,000 runs against
the same pages at 1,000, on PostgreSQL.

What it does (issue 10, benchmark):

1. Creates a database of its own (BENCH_WEB_DB, dropped at the end unless BENCH_KEEP=1) and
   migrates it. The dashboard shows BENCH_ENTRIES (50) schedule entries: a values file with that
   many (every 5 min, hourly, daily...) replaces the chart's for this process only.
2. For each size (1,000, then 1,000,000 runs), loads the runs with one `INSERT ... SELECT
   generate_series` spread evenly over the entries, newest first in time: every 13th run failed
   (with an error), every 17th was skipped, and the newest 500 runs of 5 entries failed in a row
   (failing for a long time: what makes "failing since" look far back). A traceback on 1 run in
   50. Then VACUUM (ANALYZE).
3. Renders each page in this process through Django's test client, logged in as a superuser
   (middleware, session, templates: everything but the socket), BENCH_REQUESTS (50) times each,
   the two pages alternating, after 3 unmeasured warm-up requests each.
4. Prints p50 and p95 (wall time) per page and size, the median CPU time of this process (steadier
   on a machine others load, but without the database server's share), the queries each page
   made, the load average, and the ratio of 1,000,000 to 1,000. Target: p95 <= 200 ms at 1,000,000. Exits 0 whatever the figures (a measurement,
   never a test); only a broken setup exits 1.

Environment: BENCH_PG (postgres://postgres@127.0.0.1:5432), BENCH_WEB_DB (cronsuite_bench_web),
BENCH_SIZES (1000,1000000), BENCH_ENTRIES (50), BENCH_REQUESTS (50), BENCH_KEEP (0).
"""

import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import yaml

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_WEB_DB", "cronsuite_bench_web")
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,1000000").split(",")]
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "50"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
WARM_UP = 3
TARGET_P95_MS = 200
PAGES = {"dashboard": "/admin/scheduler/", "run list": "/admin/runs/jobrun/"}
SCHEDULES = ["*/5 * * * *", "0 * * * *", "0 2 * * *", "30 */6 * * *", "0 3 * * 0"]
FAILING_ENTRIES, FAILING_STREAK = 5, 500

LOAD = """
INSERT INTO runs_jobrun (job, entry, arguments, trigger, kubernetes_job, host, started_at,
                         finished_at, status, exit_code, counts, error, traceback)
SELECT 'housekeeping',
       'entry-' || lpad(mod(i, %(entries)s)::text, 2, '0'),
       '{}'::jsonb,
       'scheduled',
       '',
       'bench',
       now() - make_interval(mins => i),
       now() - make_interval(mins => i) + interval '3 seconds',
       CASE WHEN mod(i, %(entries)s) < %(failing)s AND i < %(streak)s THEN 'failed'
            WHEN mod(i, 13) = 0 THEN 'failed'
            WHEN mod(i, 17) = 0 THEN 'skipped'
            ELSE 'succeeded' END,
       CASE WHEN (mod(i, %(entries)s) < %(failing)s AND i < %(streak)s) OR mod(i, 13) = 0 THEN 1
            ELSE 0 END,
       '{"snapshots": 1}'::jsonb,
       CASE WHEN (mod(i, %(entries)s) < %(failing)s AND i < %(streak)s) OR mod(i, 13) = 0
            THEN 'connection to server at "db" (10.0.0.7), port 5432 failed: Connection refused'
            ELSE '' END,
       CASE WHEN mod(i, 50) = 0 THEN repeat('  File "jobs/catalog/housekeeping.py", line 40\n', 40)
            ELSE '' END
FROM generate_series(0, %(rows)s - 1) AS i
"""


def admin_url(database: str = "postgres") -> str:
    return f"{PG}/{database}"


def recreate_database() -> None:
    with psycopg.connect(admin_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database() -> None:
    with psycopg.connect(admin_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def values_file(folder: Path) -> Path:
    """An override file: the chart's own entries off, BENCH_ENTRIES entries of housekeeping on."""
    chart = yaml.safe_load((ROOT / "helm" / "cronsuite" / "values.yaml").read_text())
    jobs = {name: {"enabled": False} for name in chart["jobs"]}
    for n in range(ENTRIES):
        jobs[f"entry-{n:02d}"] = {
            "job": "housekeeping",
            "args": ["--task", "stats"],
            "schedule": SCHEDULES[n % len(SCHEDULES)],
        }
    path = folder / "values.yaml"
    path.write_text(yaml.safe_dump({"jobs": jobs}))
    return path


def setup_django(folder: Path):
    os.environ["DATABASE_URL"] = admin_url(DATABASE)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import override_settings

    from jobs import entries

    call_command("migrate", verbosity=0)
    override_settings(STATIC_ROOT=str(folder / "static")).enable()
    call_command("collectstatic", "--noinput", verbosity=0)
    # This process only: every reader of the entries gets the bench's, merged over the chart's
    # values as Helm merges an override file.
    entries.load = functools.partial(entries.load, [str(values_file(folder))])
    shown = len(entries.load())
    if shown != ENTRIES:
        raise SystemExit(f"the bench's values give {shown} entries, not {ENTRIES}")


def load_runs(rows: int) -> None:
    with psycopg.connect(admin_url(DATABASE), autocommit=True) as connection:
        connection.execute("TRUNCATE runs_jobrun")
        parameters = {
            "rows": rows,
            "entries": ENTRIES,
            "failing": FAILING_ENTRIES,
            "streak": FAILING_STREAK * ENTRIES,
        }
        connection.execute(LOAD, parameters)
        connection.execute("VACUUM (ANALYZE) runs_jobrun")


def client():
    from django.contrib.auth.models import User
    from django.test import Client

    user = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.com", None
    )
    logged_in = Client()
    logged_in.force_login(user)
    return logged_in


def render(logged_in, url: str) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one request; CPU time is this process's alone, steadier than
    wall time on a machine others load, but blind to the database server's work."""
    started, cpu = time.perf_counter(), time.process_time()
    response = logged_in.get(url)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if url == PAGES["dashboard"] and response.content.count(b"<tr data-entry=") != ENTRIES:
        raise SystemExit(f"the dashboard does not show the bench's {ENTRIES} entries")
    return elapsed * 1000, cpu * 1000


def query_count(logged_in, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        render(logged_in, url)
    return len(captured.captured_queries)


def measure(rows: int) -> dict[str, dict]:
    load_runs(rows)
    logged_in = client()
    for url in PAGES.values():
        for _ in range(WARM_UP):
            render(logged_in, url)
    times = {name: [] for name in PAGES}
    for _ in range(REQUESTS):
        for name, url in PAGES.items():
            times[name].append(render(logged_in, url))
    return {name: figures(times[name], query_count(logged_in, url)) for name, url in PAGES.items()}


def figures(times: list[tuple[float, float]], queries: int) -> dict:
    wall = [w for w, _ in times]
    return {
        "p50": percentile(wall, 50),
        "p95": percentile(wall, 95),
        "cpu": statistics.median(c for _, c in times),
        "queries": queries,
    }


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(results: dict[int, dict]) -> None:
    small, large = min(results), max(results)
    print(f"\n{ENTRIES} entries, {REQUESTS} requests per page and size, PostgreSQL.")
    print(f"load average before: {LOAD_BEFORE}, after: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"{'page':<10} {'runs':>9} {'p50 ms':>7} {'p95 ms':>7} {'CPU p50':>8} {'queries':>8}")
    for name in PAGES:
        for rows in sorted(results):
            f = results[rows][name]
            print(
                f"{name:<10} {rows:>9,} {f['p50']:>7.1f} {f['p95']:>7.1f} {f['cpu']:>8.1f} "
                f"{f['queries']:>8}"
            )
    print()
    for name in PAGES:
        ratio = results[large][name]["p95"] / results[small][name]["p95"]
        verdict = "within" if results[large][name]["p95"] <= TARGET_P95_MS else "OVER"
        print(
            f"{name}: p95 at {large:,} runs is {ratio:.2f}x its p95 at {small:,}; "
            f"{verdict} the {TARGET_P95_MS} ms target."
        )


LOAD_BEFORE = f"{os.getloadavg()[0]:.2f}"


def main() -> int:
    print(f"database {DATABASE} on {PG}: sizes {', '.join(f'{n:,}' for n in SIZES)}...")
    recreate_database()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-web-") as folder:
            setup_django(Path(folder))
            results = {}
            for rows in SIZES:
                print(f"loading {rows:,} runs and rendering...", flush=True)
                results[rows] = measure(rows)
            report(results)
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP:
            drop_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
