"""The app served as the image serves it: gunicorn, DEBUG off, whitenoise for the static files,
and `check --deploy` clean for the web settings."""

import re
import subprocess
import sys

import pytest

from tests.support.processes import ROOT, job_environment
from tests.support.web import WebServer, get


@pytest.mark.django_db(transaction=True)
def test_the_admin_is_styled_with_debug_off(static_root):
    with WebServer(static_root) as server:
        status, _, page = get(f"{server.url}/admin/login/")
        stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', page)[1]

        css_status, headers, css = get(server.url + stylesheet.decode())

    assert status == 200
    # It should serve the login page's own stylesheet, by its hashed name, cached for good.
    assert css_status == 200 and headers["Content-Type"].startswith("text/css")
    assert b"body" in css
    assert "immutable" in headers["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_a_static_file_that_does_not_exist_is_404(static_root):
    with WebServer(static_root) as server:
        status, _, _ = get(f"{server.url}/static/admin/css/nothing.css")

    assert status == 404


@pytest.mark.django_db(transaction=True)
def test_behind_https_plain_http_is_redirected_but_the_probes_are_not(static_root):
    with WebServer(static_root, WEB_HTTPS="true") as server:
        admin_status, admin_headers, _ = get(f"{server.url}/admin/login/")
        proxied_status, proxied_headers, _ = get(
            f"{server.url}/admin/login/", {"X-Forwarded-Proto": "https"}
        )
        probe_status, _, _ = get(f"{server.url}/healthz")

    # It should send browsers to HTTPS, and answer the kubelet's plain-HTTP probe.
    assert admin_status == 301
    assert admin_headers["Location"].startswith("https://")
    assert probe_status == 200
    # It should, through the proxy, answer with HSTS and secure cookies only.
    assert proxied_status == 200
    assert proxied_headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in proxied_headers["Set-Cookie"]


def check_deploy(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=job_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_for_the_web_settings_of_a_cluster():
    checked = check_deploy(
        WEB_HTTPS="true",
        SECRET_KEY="k" * 20 + "-a-real-secret-key-0123456789-abcdefgh",
        EMAIL_HOST="smtp.example.com",
    )

    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout


def test_check_deploy_on_one_machine_names_only_the_warnings_the_readme_explains():
    checked = check_deploy()

    found = sorted(set(re.findall(r"\((\w+\.[EW]\d+)\)", checked.stderr + checked.stdout)))
    # It should flag only what the local defaults mean: no HTTPS, the local-only secret key,
    # mail printed on stderr; each is in the README's "The web app" section.
    assert found == [
        "mail.E001",
        "security.W004",
        "security.W008",
        "security.W009",
        "security.W012",
        "security.W016",
    ]
    readme = (ROOT / "README.md").read_text()
    assert all(check in readme for check in found)
