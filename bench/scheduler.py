"""`make bench-scheduler`: 200 entries due in the same minute, fired by `python -m jobs schedule`
and by Debian's cron in one run, side by side.

Both start the same command for each entry, `python -m jobs run record-start-... --file F`, a job
that appends when its process started (from the kernel) and when its work began; each entry has a
job of its own name (tests/support/bench_jobs.py), so the jobs' per-job lock never makes one run
wait for another. The two take turns, one round at a time: ours fires its 200 entries at the
next minute, and once their 200 runs are recorded, cron fires its 200 at the minute after that,
and so on, BENCH_ROUNDS times each: 200 Django processes starting at once keep this 2-core
machine busy for minutes, and neither scheduler must be measured among the other's children.
Ours gets each round's minute by SIGHUP (a reload), cron by its file in /etc/cron.d. The runs
record themselves in a PostgreSQL of the bench's own (tests/support/postgres.py) that accepts
MAX_CONNECTIONS clients: 200 runs at once hold two connections each (the work and the per-job
lock), more than a default server's 100.

Figures, for each scheduler: lateness from the due time to the child's start (the kernel's
start time of the job process) and to its JobRun row's started_at, p50, p99 and max. For ours:
its RSS and CPU while idle (before the first round) and while firing (the 10 s after each due
time), from /proc. Targets for ours: p99 due -> child start <= 1 s, idle CPU <= 1 % of a core,
RSS <= 60 MB. It prints the figures and exits 0 whatever they are; only a broken setup exits 1.

Debian's cron: the `cron` package is installed with apt-get when missing, its daemon run in the
foreground (`cron -f`) by this script, with the 200 commands in /etc/cron.d/cronsuite-bench
(removed at the end). That needs root; without it, or when another cron daemon already runs,
only ours is measured.

Environment: BENCH_SCHEDULER_ENTRIES (200), BENCH_ROUNDS (3). It takes a few minutes a round
here: half an hour in all.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import yaml

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAX_CONNECTIONS = 1000
ENTRIES = int(os.environ.get("BENCH_SCHEDULER_ENTRIES", "200"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
# Each round's due time is the first minute at least this far away, time to arm it.
ARM_SECONDS = 20
ROUND_TIMEOUT = 900
JOB_MODULES = "tests.support.bench_jobs"
CRON_FILE = Path("/etc/cron.d/cronsuite-bench")
# Idle figures: the last IDLE_WINDOW seconds of IDLE_SECONDS waited before the first round.
IDLE_SECONDS = 45
IDLE_WINDOW = 30
FIRING_SECONDS = 10
TARGETS = {"p99 due -> child start": "1 s", "idle CPU": "1 % of a core", "RSS": "60 MB"}


def say(text: str) -> None:
    print(text, flush=True)


def main() -> int:
    say(f"bench-scheduler: {ENTRIES} entries due in the same minute, {ROUNDS} rounds each")
    say(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    cron = cron_binary()
    say("compiling the project's modules (both schedulers' children read the same .pyc)...")
    subprocess.run([PYTHON, "-m", "compileall", "-q", "app", "jobs", "tests/support"], cwd=ROOT)
    postgres = own_postgres()
    try:
        measure(cron, postgres.create_database())
    finally:
        postgres.remove()
    return 0


def measure(cron: str | None, url: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-scheduler-"))
    dues: dict[str, list[float]] = {"ours": [], "cron": []}
    scheduler = start_scheduler(url, work)
    sampler = Sampler(scheduler.pid)
    daemon = start_cron(cron) if cron else None
    try:
        time.sleep(IDLE_SECONDS)  # the idle figures
        for _ in range(ROUNDS):
            for who in ("ours", "cron") if daemon else ("ours",):
                dues[who].append(play_round(who, url, work, scheduler, len(dues[who]) + 1))
    finally:
        stop(scheduler)
        sampler.stop()
        if daemon:
            stop(daemon)
        CRON_FILE.unlink(missing_ok=True)
    report(work, url, dues, sampler)
    shutil.rmtree(work, ignore_errors=True)


def play_round(who: str, url: str, work: Path, scheduler, number: int) -> float:
    """Arm one scheduler for the next minute; return that due time once its runs are in."""
    due = (int(time.time() + ARM_SECONDS) // 60 + 1) * 60
    if who == "ours":
        arm_ours(work, due, scheduler)
    else:
        arm_cron(url, work, due)
    say(f"  round {number} of {who}: due {time.strftime('%H:%M:%S', time.gmtime(due))} UTC")
    expected = ENTRIES * number
    while count_runs(url, who) < expected and time.time() < due + ROUND_TIMEOUT:
        time.sleep(5)
    runs = count_runs(url, who) - ENTRIES * (number - 1)
    say(f"    {runs} runs in {time.time() - due:.0f} s, {failed_runs(url, who)} failed so far")
    return float(due)


# Setup.


def cron_binary() -> str | None:
    """Debian's cron daemon, installed if missing; None when it cannot run here."""
    if os.geteuid() != 0:
        say("not root: cannot run Debian's cron daemon; measuring ours only")
        return None
    if subprocess.run(["pgrep", "-x", "cron"], capture_output=True).returncode == 0:
        say("a cron daemon already runs here: measuring ours only (it would fire our file too)")
        return None
    if not shutil.which("cron"):
        say("installing Debian's cron (apt-get install cron)...")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "cron"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    return shutil.which("cron") or "/usr/sbin/cron"


def own_postgres():
    """A PostgreSQL of the bench's own, with room for every run's two connections."""
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import OwnPostgres

    say(f"starting a PostgreSQL of its own (max_connections {MAX_CONNECTIONS})...")
    server = OwnPostgres()
    try:
        server.execute(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
        for _ in range(3):  # stop() thaws every server process first; one may just have exited
            try:
                server.stop()
                break
            except ProcessLookupError:
                time.sleep(0.5)
        server.start()
        server.wait_until_up()
    except BaseException:
        server.remove()
        raise
    return server


def minute(due: float, local: bool = False) -> str:
    """Every hour at that minute (UTC, or the machine's time for cron): each round arms a new
    minute and is over long before the hour comes round. Not the exact day and month: a run
    with a schedule computes its longest interval at start, a year of fire times for that."""
    t = time.localtime(due) if local else time.gmtime(due)
    return f"{t.tm_min} * * * *"


def environment(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "JOB_MODULES": JOB_MODULES,
        "PYTHONPATH": str(ROOT),
        "LOG_FORMAT": "json",
        "BENCH_SCHEDULER_ENTRIES": str(ENTRIES),
    }


def start_scheduler(url: str, work: Path) -> subprocess.Popen:
    """Ours, on the bench's entries, all suspended until the first round arms them."""
    write_values(work, None)
    env = {**os.environ, **environment(url), "PUSHGATEWAY_URL": "", "LOG_LEVEL": "INFO"}
    env["SCHEDULER_METRICS_PORT"] = str(free_port())
    # As cron's children: a stale .pyc left by someone's edit is rewritten, not compiled anew
    # by every run (the difference was half of each child's CPU time).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    say("starting python -m jobs schedule...")
    with open(work / "scheduler.log", "wb") as log:
        return subprocess.Popen(
            [PYTHON, "-m", "jobs", "schedule", "--values", str(work / "values.yaml")],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def write_values(work: Path, due: float | None) -> None:
    values = {name: {"enabled": False} for name in shipped_entries()}
    for n in range(ENTRIES):
        values[f"bench-{n:03d}"] = {
            "job": f"record-start-ours-{n:03d}",
            "args": ["--file", str(work / "ours.jsonl"), "--label", "ours"],
            "schedule": minute(due) if due else "0 * * * *",
            "suspend": due is None,
            "timeZone": "UTC",
            "concurrencyPolicy": "Allow",
            "backoffLimit": 0,  # a failure shows as one, not as a retry
            "timeout": 900,
        }
    (work / "values.yaml").write_text(yaml.safe_dump({"jobs": values}))


def arm_ours(work: Path, due: float, scheduler: subprocess.Popen) -> None:
    """The new minute by SIGHUP, as a person would change a schedule."""
    log = work / "scheduler.log"
    reloads = log.read_text().count('"scheduler.reloaded"')
    write_values(work, due)
    scheduler.send_signal(signal.SIGHUP)
    while log.read_text().count('"scheduler.reloaded"') == reloads:
        time.sleep(0.2)


def shipped_entries() -> list[str]:
    values = yaml.safe_load((ROOT / "helm" / "cronsuite" / "values.yaml").read_text())
    return list(values.get("jobs") or {})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_cron(cron: str) -> subprocess.Popen:
    """Debian's cron in the foreground; each round's commands go to /etc/cron.d."""
    say("starting Debian's cron -f...")
    return subprocess.Popen([cron, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def arm_cron(url: str, work: Path, due: float) -> None:
    """The 200 commands for exactly that minute; cron reads /etc/cron.d again each minute."""
    lines = ["SHELL=/bin/bash", "PATH=/usr/bin:/bin"]
    lines += [f"{key}={value}" for key, value in environment(url).items()]
    for n in range(ENTRIES):
        # exec: the job's process is the one cron forked, so its start is cron's own.
        command = (
            f"cd {ROOT} && exec {PYTHON} -m jobs run record-start-cron-{n:03d} "
            f"--file {work / 'cron.jsonl'} --label cron >/dev/null 2>&1"
        )
        lines.append(f"{minute(due, local=True)} root {command}")
    CRON_FILE.write_text("\n".join(lines) + "\n")
    CRON_FILE.chmod(0o644)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def failed_runs(url: str, who: str) -> int:
    return runs_where(url, who, "status != 'succeeded'")


def count_runs(url: str, who: str) -> int:
    return runs_where(url, who, "finished_at IS NOT NULL")


def runs_where(url: str, who: str, condition: str) -> int:
    """The recorded runs of one scheduler's bench entries that meet `condition` (SQL)."""
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        return db.execute(
            f"SELECT count(*) FROM runs_jobrun WHERE {condition} AND job LIKE %s",
            [f"record-start-{who}-%"],
        ).fetchone()[0]


# Measurement.


class Sampler:
    """The scheduler's CPU time and RSS, from /proc, four times a second."""

    def __init__(self, pid: int):
        self.pid, self.samples, self.running = pid, [], True
        self.tick = os.sysconf("SC_CLK_TCK")
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while self.running:
            try:
                stat = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
                status = Path(f"/proc/{self.pid}/status").read_text()
            except (FileNotFoundError, ProcessLookupError):
                return
            cpu = (int(stat[11]) + int(stat[12])) / self.tick  # utime + stime, its own only
            rss = int(status.split("VmRSS:")[1].split()[0]) / 1024
            self.samples.append((time.time(), cpu, rss))
            time.sleep(0.25)

    def stop(self) -> None:
        self.running = False
        self.thread.join(5)

    def cpu_percent(self, start: float, end: float) -> float | None:
        inside = [(t, cpu) for t, cpu, _ in self.samples if start <= t <= end]
        if len(inside) < 2:
            return None
        (t0, c0), (t1, c1) = inside[0], inside[-1]
        return 100 * (c1 - c0) / (t1 - t0)

    def rss(self, start: float, end: float) -> float | None:
        inside = [rss for t, _, rss in self.samples if start <= t <= end]
        return max(inside) if inside else None


def records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def due_of(moment: float, dues: list[float]) -> float:
    """The round a moment belongs to: the latest due time at or before it."""
    return max(due for due in dues if due <= moment + 1)


def child_lateness(path: Path, dues: list[float]) -> list[float]:
    return [r["process_started"] - due_of(r["process_started"], dues) for r in records(path)]


def row_lateness(url: str, who: str, dues: list[float]) -> list[float]:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        started = db.execute(
            "SELECT extract(epoch FROM started_at) FROM runs_jobrun WHERE job LIKE %s",
            [f"record-start-{who}-%"],
        ).fetchall()
    return [float(s) - due_of(float(s), dues) for (s,) in started]


def fork_lateness(work: Path) -> list[float]:
    """What our scheduler logged: due time to its call returning from starting the child."""
    lines = (work / "scheduler.log").read_text().splitlines()
    fired = [json.loads(line) for line in lines if '"scheduler.fired"' in line]
    return [line["lateness_seconds"] for line in fired]


def figures(values: list[float]) -> str:
    if not values:
        return f"{'-':>8} {'-':>8} {'-':>8} {'n=0':>6}"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return (
        f"{statistics.median(ordered):>7.3f}s {p99:>7.3f}s {ordered[-1]:>7.3f}s "
        f"{'n=' + str(len(ordered)):>6}"
    )


def report(work: Path, url: str, dues: dict[str, list[float]], sampler: Sampler) -> None:
    say("")
    say(f"lateness from the due time ({ENTRIES} entries x {ROUNDS} rounds)")
    say(f"{'':<38}{'p50':>8} {'p99':>8} {'max':>8}")
    ours, cron = dues["ours"], dues["cron"]
    rows = [
        ("ours: due -> child start (kernel)", child_lateness(work / "ours.jsonl", ours)),
        ("ours: due -> starting call returned", fork_lateness(work)),
        ("ours: due -> JobRun.started_at", row_lateness(url, "ours", ours)),
    ]
    if cron:
        rows += [
            ("cron: due -> child start (kernel)", child_lateness(work / "cron.jsonl", cron)),
            ("cron: due -> JobRun.started_at", row_lateness(url, "cron", cron)),
        ]
    for label, values in rows:
        say(f"{label:<38}{figures(values)}")
    report_process(sampler, ours)


def report_process(sampler: Sampler, ours: list[float]) -> None:
    started = sampler.samples[0][0] if sampler.samples else 0.0
    idle = (started + IDLE_SECONDS - IDLE_WINDOW, started + IDLE_SECONDS)
    firing = [sampler.cpu_percent(due, due + FIRING_SECONDS) for due in ours]
    say("")
    say("ours, the scheduler process alone (its children not counted):")
    say(
        f"  CPU idle ({IDLE_WINDOW} s before the first round): {show(sampler.cpu_percent(*idle), '%')} of a core"
    )
    say(
        f"  CPU firing ({FIRING_SECONDS} s from each due time): {', '.join(show(f, '%') for f in firing)}"
    )
    say(
        f"  RSS idle: {show(sampler.rss(*idle), ' MB')}; largest: {show(sampler.rss(0, 1e12), ' MB')}"
    )
    say("targets for ours: " + "; ".join(f"{k} <= {v}" for k, v in TARGETS.items()))
    say(f"load average after: {os.getloadavg()[0]:.2f}")


def show(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.1f}{unit}"


if __name__ == "__main__":
    sys.exit(main())
