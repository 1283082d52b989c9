"""The chart rendered by the real helm binary (scripts/install-tools puts it in .tools/bin)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.processes import ROOT

CHART = ROOT / "helm" / "cronsuite"


CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))


TOOLS_BIN = ROOT / ".tools" / "bin"


RELEASE = "cronsuite"


NAMESPACE = "jobs"


def tool(name: str) -> str:
    """helm and kubectl from .tools/bin, hadolint from the venv, else PATH."""
    for folder in (TOOLS_BIN, Path(sys.executable).parent):
        if (folder / name).exists():
            return str(folder / name)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: run scripts/install-tools")
    return path


def helm(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([tool("helm"), *args], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} failed:\n{result.stderr}")
    return result


def values_args(values_files=(), sets=()) -> list[str]:
    args = []
    for path in values_files:
        args += ["-f", str(path)]
    for item in sets:
        args += ["--set", item]
    return args


def render(values_files=(), sets=(), show_only=None) -> list[dict]:
    """`helm template` output as objects (hooks and test Pod included)."""
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    args += values_args(values_files, sets)
    if show_only:
        args += ["--show-only", show_only]
    result = helm(*args)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def cronjobs(objects: list[dict]) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "CronJob"}


def container(cronjob: dict) -> dict:
    (c,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return c


def ci_id(path) -> str:
    return "defaults" if path is None else Path(path).name.removesuffix("-values.yaml")
