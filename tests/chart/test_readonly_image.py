"""The image's run-time conditions without a Docker engine: the files the Dockerfile copies, in a
read-only tree, run by an unprivileged user with HOME=/tmp and a database in a writable folder."""

import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import ROOT, free_port, wait_until


def image_files() -> list[str]:
    """What the Dockerfile COPYs from the checkout into /app (read from it, so they never drift)."""
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--") for w in words):
            sources += [w for w in words[1:-1] if not w.startswith("requirements")]
    return sources


IMAGE_FILES = image_files()
NOBODY = 65534


def copy_image_tree(target: Path) -> None:
    for name in IMAGE_FILES:
        source, dest = ROOT / name, target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(
                source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests")
            )
        else:
            shutil.copy2(source, dest)
    # The image collects the static files and compiles bytecode at build time, in one RUN.
    build_env = {**os.environ, "DATABASE_URL_REQUIRED": "false"}
    build_env.pop("DATABASE_URL", None)
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=target, env=build_env, check=True, timeout=300)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target)], check=True)


def make_read_only(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def snapshot(tree: Path) -> dict:
    return {str(p.relative_to(tree)): p.stat().st_mtime_ns for p in tree.rglob("*")}


def unprivileged(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command  # already unprivileged
    # nobody, no groups. CAP_DAC_READ_SEARCH (read and traverse only, never write) stands in for the
    # image's world-readable /usr/local Python: here the interpreter lives under root's home.
    return [
        "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        "--inh-caps=-all,+dac_read_search",
        "--ambient-caps=+dac_read_search",
        *command,
    ]


@pytest.fixture
def image(tmp_path):
    app = tmp_path / "app"
    copy_image_tree(app)
    make_read_only(app)
    data = tmp_path / "data"
    data.mkdir(mode=0o777)
    data.chmod(0o777)  # the umask may have narrowed it
    env = {
        "PATH": os.environ["PATH"],
        "HOME": "/tmp",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": f"sqlite:///{data / 'cronsuite.sqlite3'}",
        "LOG_FORMAT": "json",
    }
    yield app, data, env
    for path in [app, *app.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def run(app: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        unprivileged([sys.executable, *args]),
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_job_runs_unprivileged_from_a_read_only_tree(image):
    app, data, env = image
    before = snapshot(app)

    migrated = run(app, env, "manage.py", "migrate", "--noinput")  # the chart's hook, same image
    assert migrated.returncode == 0, migrated.stderr
    result = run(app, env, "-m", "jobs", "run", "addition", "--x", "1", "--y", "2")
    assert result.returncode == 0, result.stdout + result.stderr

    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    (finished,) = [line for line in lines if line["event"] == "run.finished"]
    assert finished["status"] == "succeeded"
    assert snapshot(app) == before  # nothing written in the code tree
    with sqlite3.connect(data / "cronsuite.sqlite3") as db:
        assert db.execute("select job, status from runs_jobrun").fetchall() == [
            ("addition", "succeeded")
        ]
    if os.geteuid() == 0:
        assert (data / "cronsuite.sqlite3").stat().st_uid == NOBODY


def test_list_shows_the_chart_entries_from_the_copied_values_file(image):
    app, _, env = image
    result = run(app, env, "-m", "jobs", "list", "--json")
    assert result.returncode == 0, result.stderr
    entries = {e["entry"]: e for e in json.loads(result.stdout)["entries"]}
    assert entries["addition"]["args"] == ["--x", "10", "--y", "20"]
    assert entries["weekly-conversation-cleanup"]["schedule"] == "0 3 * * 0"


def test_the_dockerfile_collects_static_files_at_build_time():
    dockerfile = (ROOT / "Dockerfile").read_text()
    # It should collect them in the image: its root is read-only at run time.
    assert "python manage.py collectstatic --noinput" in dockerfile


def test_gunicorn_serves_the_app_and_its_static_files_from_the_read_only_tree(image):
    app, _, env = image
    before = snapshot(app)
    port = free_port()
    web = {**env, "DATABASE_URL_REQUIRED": "true", "ALLOWED_HOSTS": "localhost"}
    command = [sys.executable, "-m", "gunicorn", "app.wsgi", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        unprivileged(command), cwd=app, env=web, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # It should start unprivileged with nothing writable but /tmp, and answer the probes.
        wait_until(lambda: process.poll() is not None or status(port, "/healthz") == 200, 60)
        assert process.poll() is None, process.stderr.read().decode()
        # It should serve the collected admin CSS (whitenoise, DEBUG off) under its hashed name too.
        assert status(port, "/static/admin/css/base.css") == 200
        manifest = json.loads((app / "staticfiles" / "staticfiles.json").read_text())
        assert status(port, f"/static/{manifest['paths']['admin/css/base.css']}") == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert snapshot(app) == before  # nothing written in the code tree


def status(port: int, path: str) -> int | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers={"Host": "localhost"})
        return connection.getresponse().status
    except OSError:
        return None
