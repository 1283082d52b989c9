"""`make bench-chart`: `helm template` of 1,000 schedule entries against 10, with the real helm.

What it does:

1. Writes two values files, 10 and 1,000 entries, generated the same way: each entry runs
   housekeeping with its own schedule, timeout and retries; every fifth is suspended, every
   seventh overrides a map of defaults (resources), so the merge of defaults into an entry does
   real work. The chart's shipped entries render too, as in a real install.
2. Renders each with `helm template` in a process of its own, timed from spawn to exit (what a
   user or a CI job waits for), with the CPU time it used. Sizes are
   interleaved round by round (10, 1,000, 10, ...) so drift from other work on this machine
   spreads over both.
3. Checks every render: helm exits 0 and prints one CronJob per entry. A failure exits 1; the
   figures never do: this is a measurement, not a test.
4. Renders a floor too: per size, a chart whose one template is the chart's own output, as
   text. Helm still reads the values, then splits, parses and sorts that output; no change to
   the templates can save that share.
5. Prints each round, then the medians and their ratio (1,000 over 10, from this run) next to
   the target (1,000 entries in at most 2 s), and the floor's share of the chart's time.

Environment: BENCH_REPEAT (rounds, default 5), BENCH_HELM (default: .tools/bin/helm, else PATH),
BENCH_BASELINE_CHART: another chart directory (e.g. `git archive <commit> helm/cronsuite | tar
-x -C DIR`) rendered in the same rounds, for before/after figures of a change.
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "helm" / "cronsuite"
SIZES = (10, 1000)
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
BASELINE = os.environ.get("BENCH_BASELINE_CHART", "")
TARGET_SECONDS = 2.0


def helm_binary() -> str:
    found = os.environ.get("BENCH_HELM") or shutil.which("helm", path=str(ROOT / ".tools" / "bin"))
    found = found or shutil.which("helm")
    if not found:
        sys.exit("helm not found: run scripts/install-tools (or set BENCH_HELM)")
    return found


def entry(n: int) -> dict:
    settings = {
        "job": "housekeeping",
        "args": ["--task", "stats"],
        "schedule": f"{n % 60} {n % 24} * * {n % 7}",
        "timeout": 60 + n % 3600,
        "backoffLimit": n % 4,
    }
    if n % 5 == 0:
        settings["suspend"] = True
    if n % 7 == 0:
        settings["resources"] = {"limits": {"memory": f"{256 + n % 256}Mi"}}
    return settings


def values_file(folder: Path, size: int) -> Path:
    path = folder / f"{size}-entries.yaml"
    entries = {f"bench-{n:04d}": entry(n) for n in range(size)}
    path.write_text(yaml.safe_dump({"jobs": entries}))
    return path


def shipped_entries() -> int:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    return sum(1 for e in values["jobs"].values() if (e or {}).get("enabled", True))


def render(helm: str, chart: str, values: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one `helm template`, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [helm, "template", "bench", chart, "-f", str(values)], capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # children run one at a time
    if result.returncode != 0:
        sys.exit(f"helm template {chart} -f {values} failed:\n{result.stderr}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, result.stdout


def check(output: str, expected: int, chart: str, size: int) -> None:
    found = output.count("\nkind: CronJob\n")
    if found != expected:
        sys.exit(f"{chart} with {size} entries rendered {found} CronJobs, not {expected}")


def floor_charts(helm: str, folder: Path, files: dict) -> dict:
    """Per size, a chart whose one template is the chart's rendered output, as plain text."""
    charts = {}
    for size, path in files.items():
        _, _, output = render(helm, str(CHART), path)
        text = "\n".join(line for line in output.splitlines() if not line.startswith("# Source:"))
        chart = folder / f"floor-{size}"
        (chart / "templates").mkdir(parents=True)
        shutil.copy(CHART / "Chart.yaml", chart / "Chart.yaml")
        (chart / "templates" / "output.yaml").write_text(text.replace("{{", '{{ "{{" }}') + "\n")
        charts[size] = str(chart)
    return charts


def measure(helm: str, charts: dict, files: dict) -> dict:
    """{(chart label, size): [(wall, cpu), ...]}, sizes and charts interleaved in each round.

    A chart is a directory, or {size: directory} for the floor."""
    figures = {(label, size): [] for label in charts for size in files}
    expected = {size: size + shipped_entries() for size in files}
    for round_ in range(1, REPEAT + 1):
        for label, chart in charts.items():
            line = f"round {round_}  {label:8}"
            for size, path in files.items():
                folder = chart[size] if isinstance(chart, dict) else chart
                wall, cpu, output = render(helm, folder, path)
                check(output, expected[size], label, size)
                figures[label, size].append((wall, cpu))
                line += f"  {size:>5,}: {wall:5.2f} s (cpu {cpu:.2f} s)"
            print(line, flush=True)
    return figures


def report(figures: dict, charts: dict) -> None:
    small, large = SIZES
    print(f"\nmedians of {REPEAT} rounds (wall, from spawn to exit; cpu of that process):")
    for label in charts:
        walls = {size: statistics.median(w for w, _ in figures[label, size]) for size in SIZES}
        cpus = {size: statistics.median(c for _, c in figures[label, size]) for size in SIZES}
        for size in SIZES:
            print(f"  {label:8} {size:>5,} entries: {walls[size]:6.2f} s  (cpu {cpus[size]:.2f} s)")
        if label == "floor":
            continue
        ratio = walls[large] / walls[small]
        verdict = "within" if walls[large] <= TARGET_SECONDS else "over"
        print(
            f"  {label:8} {large:,} / {small:,} entries: {ratio:.1f}x; {large:,} entries "
            f"{verdict} the {TARGET_SECONDS:g} s target"
        )
    floor = statistics.median(w for w, _ in figures["floor", large])
    chart = statistics.median(w for w, _ in figures["chart", large])
    print(f"  the floor (helm on the chart's output alone) is {floor / chart:.0%} of the chart's")
    print(f"  {large:,}-entry time: the templates cost {chart - floor:.2f} s of it")


def main() -> int:
    helm = helm_binary()
    charts = {"chart": str(CHART)}
    if BASELINE:
        charts["baseline"] = BASELINE
    version = subprocess.run([helm, "version", "--short"], capture_output=True, text=True)
    print(f"helm {version.stdout.strip()}, {REPEAT} rounds, sizes interleaved\n")
    with tempfile.TemporaryDirectory(prefix="bench-chart-") as folder:
        files = {size: values_file(Path(folder), size) for size in SIZES}
        charts["floor"] = floor_charts(helm, Path(folder), files)
        report(measure(helm, charts, files), charts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
