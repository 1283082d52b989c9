"""The image can reach every database DATABASE_URL accepts, and its final stage stays compiler-free."""

import re

from tests.support.processes import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def stages() -> list[str]:
    """Each stage's instructions, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    text = "\n".join(lines).replace("\\\n", " ")
    return re.split(r"^FROM ", text, flags=re.M)[1:]


def apt_installs(stage: str) -> list[list[str]]:
    """The packages of each `apt-get install` in a stage, with the RUN they belong to checked."""
    found = []
    for run in re.findall(r"^RUN (.*)$", stage, flags=re.M):
        for command in re.findall(r"apt-get install ([^&;]*)", run):
            assert "--no-install-recommends" in command, run
            assert "rm -rf /var/lib/apt/lists/*" in run, run
            found.append([w for w in command.split() if not w.startswith("-")])
    return found


def test_the_builder_compiles_mysqlclient_and_the_final_stage_only_runs_it():
    builder, final = stages()
    assert builder.startswith("python:3.12-slim AS builder")
    assert apt_installs(builder) == [["gcc", "pkg-config", "libmariadb-dev"]]
    assert apt_installs(final) == [["libmariadb3"]]
    assert re.search(r"pip wheel .*-r requirements\.txt -r requirements-mysql\.txt", builder)
    assert re.search(
        r"pip install --no-cache-dir --no-index .*-r requirements\.txt -r requirements-mysql\.txt",
        final,
    )


def test_each_build_package_is_explained():
    for package in ("gcc", "pkg-config", "libmariadb-dev"):
        assert re.search(rf"^#\s+{re.escape(package)}\s+\S", DOCKERFILE, flags=re.M), package


def test_the_mysql_driver_is_pinned_once_and_shared_with_the_dev_requirements():
    assert [
        line
        for line in (ROOT / "requirements-mysql.txt").read_text().splitlines()
        if not line.startswith("#")
    ] == ["mysqlclient==2.3.1"]
    dev = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert "-r requirements-mysql.txt" in dev
    assert not [line for line in dev if line.startswith("mysqlclient")]
