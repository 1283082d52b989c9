"""The web app as people reach it: static files collected, gunicorn serving on loopback with
DEBUG off (as in the image), and plain HTTP requests against it."""

import signal
import subprocess
import sys
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.core.management import call_command
from django.test import override_settings

from tests.support.processes import ROOT, free_port, job_environment, wait_until


def collect_static(root: Path) -> override_settings:
    """Runs collectstatic into `root` and points this process's STATIC_ROOT at it; returns the
    override, to disable at the end of the session."""
    override = override_settings(STATIC_ROOT=str(root))
    override.enable()
    call_command("collectstatic", "--noinput", verbosity=0)
    return override


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One GET, redirects not followed: (status, headers, body)."""
    opener = build_opener(NoRedirects)
    try:
        with opener.open(Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except HTTPError as e:
        return e.code, dict(e.headers), e.read()


class WebServer:
    """gunicorn serving app.wsgi on a free loopback port, against the test database."""

    def __init__(self, static_root: Path, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.environment = job_environment(
            DJANGO_SETTINGS_MODULE="tests.support.web_settings",
            TEST_STATIC_ROOT=static_root,
            DEBUG="false",
            **env,
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "WebServer":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "app.wsgi", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", "1", "--threads", "4", "--log-level", "warning"],
            cwd=ROOT,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until(self._answers, timeout=30, message=f"gunicorn on {self.url}")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {self.process.stderr.read().decode()}")
        try:
            return get(f"{self.url}/healthz")[0] == 200
        except OSError:
            return False

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.communicate(timeout=30)


def log_in(client, *permissions: str, username: str = "olga", staff: bool = True):
    """`client` logged in as a (staff) user holding these permissions ("app.codename")."""
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user(username, password="not-a-secret", is_staff=staff)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client.force_login(user)
    return user
