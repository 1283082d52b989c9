"""`make bench-startup`: a job process's start-up against a bare Django process.

What it measures (issue 12, start-up):

- job: `python -m jobs run addition`, the smallest job: the whole runtime (settings, the lock, the
  JobRun row, the log lines, metrics off) around a job that does almost nothing;
- bare: a process that runs `django.setup()` and connects to the database, the floor every
  process of this Django project pays;
- baseline (with BENCH_BASELINE_ROOT, another checkout): that checkout's job, in the same rounds,
  for before/after figures of a change.

Every process runs from a copy of the code laid out and compiled as the image lays it out and
compiles it (Dockerfile: `COPY app jobs k8s ...`, `compileall`): the image never compiles a module
at run time, while a checkout run with PYTHONDONTWRITEBYTECODE=1 would compile every module of the
project at each start and measure the compiler. Each database gets a warm-up pair (not counted),
then BENCH_ROUNDS rounds; the order of the processes rotates from round to round so drift from
the other engineers' load on this 2-core machine spreads over all of them. Wall time is measured
from spawn to exit; CPU time (user + system, from wait4) is shown beside it, steadier than wall
time on a busy machine. Then one `python -X importtime` run of each adds up, per top-level package,
the import time of the modules the job imports and the bare process does not (what is left to
import later, or never), and of what django.setup() itself imports beyond Django and the standard
library (what every process pays: an admin module importing a YAML parser makes both slower). (-X importtime does not list modules loaded by importlib.import_module,
such as the job's own module: they are small.)

Prints medians and the ratio to the bare process; exits 0 whatever the figures (a measurement,
never a test). Only a process that fails, or a broken setup, exits 1.

Environment: BENCH_ROUNDS (15, at least 10), BENCH_DATABASES (sqlite,postgres), BENCH_PG
(postgres://postgres@127.0.0.1:5432), BENCH_STARTUP_DB (cronsuite_bench_startup: prefix of the
PostgreSQL databases, created and dropped), BENCH_BASELINE_ROOT (see above; it gets a database of
its own, migrated by its own code), BENCH_FROM (image; `checkout` runs the checkouts as they are,
bytecode as the environment allows: what a developer's shell pays).
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = max(10, int(os.environ.get("BENCH_ROUNDS", "15")))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_DATABASE = os.environ.get("BENCH_STARTUP_DB", "cronsuite_bench_startup")
BASELINE_ROOT = os.environ.get("BENCH_BASELINE_ROOT", "")
FROM = os.environ.get("BENCH_FROM", "image")
# What the Dockerfile copies into the image.
IMAGE_PATHS = ("manage.py", "app", "jobs", "k8s", "helm/cronsuite/values.yaml")
TARGET_RATIO = 1.10
SHOWN_IMPORTS = 8
DJANGO_ITSELF = ("django", "asgiref", "sqlparse")  # Django and what it always imports
WIDTH = 80  # what a terminal shows without wrapping

BARE = (
    "import django; django.setup(); "
    "from django.db import connection; connection.ensure_connection(); connection.close()"
)
COMMANDS = {
    "job": ["-m", "jobs", "run", "addition"],
    "bare": ["-c", BARE],
    "baseline": ["-m", "jobs", "run", "addition"],
}
LABELS = {
    "job": "job: python -m jobs run addition",
    "bare": "bare: django.setup(), connect",
    "baseline": f"job from {Path(BASELINE_ROOT).name or '-'}",
}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def image_copy(source: Path, target: Path) -> Path:
    """The code as the image holds it: the Dockerfile's paths, compiled to bytecode."""
    for path in IMAGE_PATHS:
        origin, copy = source / path, target / path
        copy.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        elif origin.exists():
            shutil.copy2(origin, copy)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], check=True)
    return target


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRONSUITE_", "PUSHGATEWAY"))}
    for name in ("JOB_MODULES", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="app.settings",
    )
    if FROM == "image":
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # as in the image: read the compiled copy only
    return env


def run(argv: list[str], cwd: Path, env: dict) -> tuple[float, float, str, str]:
    """(wall seconds, CPU seconds, stdout, stderr) of one process; SystemExit if it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, *argv], cwd=cwd, env=env, stdout=out, stderr=err
        )
        # wait4: this very child's CPU time (user + system), steadier than wall on a busy machine.
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if (code := os.waitstatus_to_exitcode(status)) != 0:
        raise SystemExit(f"{' '.join(argv)} exited {code}: {stderr.strip()[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, stdout, stderr


def run_seconds(stdout: str) -> float | None:
    """The run's own duration, from the job's run.finished line."""
    for line in stdout.splitlines():
        if line.startswith("{") and '"run.finished"' in line:
            return json.loads(line).get("duration_seconds")
    return None


# ----------------------------------------------------------------------------- databases
# One database per checkout, migrated by that checkout: a baseline from before a schema change
# runs against the schema it knows. The job and the bare process share the current one.


def postgres(statement: str) -> None:
    import psycopg  # only when PostgreSQL is measured

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def create_database(kind: str, label: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'{label}.sqlite3'}"
    postgres(f'DROP DATABASE IF EXISTS "{PG_DATABASE}_{label}" WITH (FORCE)')
    postgres(f'CREATE DATABASE "{PG_DATABASE}_{label}"')
    return f"{PG}/{PG_DATABASE}_{label}"


def drop_databases(kind: str, labels) -> None:
    if kind == "postgres":
        for label in labels:
            postgres(f'DROP DATABASE IF EXISTS "{PG_DATABASE}_{label}" WITH (FORCE)')


# ----------------------------------------------------------------------------- measurement


def measure(roots: dict[str, Path], envs: dict[str, dict]) -> dict[str, dict[str, list[float]]]:
    """Per process: wall and CPU seconds of every round; for the job, its run's own seconds."""
    names = list(roots)
    for name in names:  # warm-up: page cache, the database's first connection
        run(COMMANDS[name], roots[name], envs[name])
    figures = {name: {"wall": [], "cpu": [], "run": []} for name in names}
    for round_ in range(ROUNDS):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu, stdout, _ = run(COMMANDS[name], roots[name], envs[name])
            figures[name]["wall"].append(wall)
            figures[name]["cpu"].append(cpu)
            if (seconds := run_seconds(stdout)) is not None:
                figures[name]["run"].append(seconds)
    return figures


def self_times(argv: list[str], cwd: Path, env: dict) -> dict[str, int]:
    """Microseconds each module's own import took, as `python -X importtime` prints them."""
    _, _, _, stderr = run(["-X", "importtime", *argv], cwd, env)
    times = {}
    for line in stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[0].strip().isdigit():
            times[fields[2].strip()] = int(fields[0])
    return times


def by_package(times: dict[str, int], keep) -> dict[str, int]:
    """Microseconds per top-level package of the modules `keep` accepts, heaviest first."""
    packages: dict[str, int] = {}
    for module, microseconds in times.items():
        if keep(module):
            package = module.split(".")[0]
            packages[package] = packages.get(package, 0) + microseconds
    return dict(sorted(packages.items(), key=lambda item: -item[1]))


def imports(roots: dict[str, Path], envs: dict[str, dict]) -> tuple[dict, dict]:
    """(what the job imports beyond the bare process: what importing later, or never, could
    save; what django.setup() imports beyond Django and the standard library: what every
    process pays, the job and the bare one alike), per top-level package."""
    job = self_times(COMMANDS["job"], roots["job"], envs["job"])
    bare = self_times(COMMANDS["bare"], roots["bare"], envs["bare"])
    return by_package(job, lambda module: module not in bare), by_package(bare, beyond_django)


def beyond_django(module: str) -> bool:
    """Neither Django (with what it always imports) nor the standard library."""
    top = module.split(".")[0]
    return not (top in DJANGO_ITSELF or top in sys.stdlib_module_names or top.startswith("_"))


# ----------------------------------------------------------------------------- report


def say_imports(title: str, packages: dict[str, int]) -> None:
    shown = ", ".join(
        f"{name} {us / 1000:.1f}" for name, us in list(packages.items())[:SHOWN_IMPORTS]
    )
    total = sum(packages.values()) / 1000
    text = f"{title}: {total:.0f} ms in all ({shown or 'nothing'} ms)."
    print("\n".join(textwrap.wrap(text, WIDTH, subsequent_indent="  ")))


def report(database: str, figures: dict, extra: tuple[dict, dict]) -> None:
    bare = {kind: statistics.median(figures["bare"][kind]) for kind in ("wall", "cpu")}
    print()
    print(f"{database}: medians of {ROUNDS} rounds ({len(figures)} processes each)")
    header = f"{'process':<38} {'wall s':>7} {'x bare':>7} {'CPU s':>7} {'x bare':>7} {'run s':>6}"
    print(header)
    print("-" * len(header))
    for name, runs in figures.items():
        wall, cpu = statistics.median(runs["wall"]), statistics.median(runs["cpu"])
        own = f"{statistics.median(runs['run']):6.3f}" if runs["run"] else f"{'-':>6}"
        print(
            f"{LABELS[name]:<38} {wall:7.3f} {wall / bare['wall']:6.2f}x "
            f"{cpu:7.3f} {cpu / bare['cpu']:6.2f}x {own}"
        )
    ratio = statistics.median(figures["job"]["wall"]) / bare["wall"]
    verdict = "met" if ratio <= TARGET_RATIO else "NOT MET"
    print(f"Target: the job's wall time at most {TARGET_RATIO:.2f}x the bare process's: {verdict}.")
    print("(run s: the run itself, from its run.finished line: lock, JobRun row, log lines.)")
    say_imports("Imports the bare process does not make", extra[0])
    say_imports("django.setup() imports beyond Django and the standard library", extra[1])


def bench(kind: str, roots: dict[str, Path], folder: Path) -> None:
    labels = {name: "baseline" if name == "baseline" else "current" for name in roots}
    try:
        urls = {label: create_database(kind, label, folder) for label in {*labels.values()}}
        envs = {name: environment(urls[label]) for name, label in labels.items()}
        for name in (name for name in roots if name != "bare"):  # bare shares the job's
            run(["manage.py", "migrate", "--noinput", "-v0"], roots[name], envs[name])
        say(f"{kind}: {ROUNDS} rounds of {', '.join(roots)}.")
        figures = measure(roots, envs)
        report(kind, figures, imports(roots, envs))
    finally:
        drop_databases(kind, {*labels.values()})


def code_roots(folder: Path) -> dict[str, Path]:
    """Where each process runs from: compiled copies (image), or the checkouts as they are."""
    sources = {"job": ROOT, "bare": ROOT}
    if BASELINE_ROOT:
        sources["baseline"] = Path(BASELINE_ROOT)
    if FROM == "checkout":
        return sources
    say("Copying and compiling the code as the image does.")
    copies = {
        source: image_copy(source, folder / f"code{i}")
        for i, source in enumerate({*sources.values()})
    }
    return {name: copies[source] for name, source in sources.items()}


def main() -> int:
    unknown = [name for name in DATABASES if name not in ("sqlite", "postgres")]
    if unknown:
        print(f"error: unknown database {unknown}; known: sqlite, postgres", file=sys.stderr)
        return 2
    if FROM not in ("image", "checkout"):
        print(f"error: BENCH_FROM is {FROM!r}; use image or checkout", file=sys.stderr)
        return 2
    if BASELINE_ROOT and not (Path(BASELINE_ROOT) / "jobs").is_dir():
        print("error: BENCH_BASELINE_ROOT is not a checkout of cronsuite", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cronsuite-startup-") as tmp:
        folder = Path(tmp)
        roots = code_roots(folder)
        try:
            for database in DATABASES:
                bench(database, roots, folder)
        except SystemExit as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
