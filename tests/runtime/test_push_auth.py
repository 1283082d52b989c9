"""Pushgateway basic auth, against a real Pushgateway started with --web.config.file (bcrypt), as
the prometheus-community chart's webConfiguration.basicAuthUsers runs it. A rejected push is
logged and never fails the run; the password is never shown."""

import pytest

from tests.support.processes import free_port, run_job
from tests.support.pushgateway import Pushgateway

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

USER, PASSWORD = "cronsuite", "pushgateway-pa55word"
GROUP = {"job": "addition", "entry": "addition"}
SUCCESS = "cronsuite_job_last_success_timestamp_seconds"


@pytest.fixture(scope="module")
def guarded_pushgateway():
    gateway = Pushgateway(free_port(), users={USER: PASSWORD})
    yield gateway
    gateway.stop()


@pytest.fixture
def gateway(guarded_pushgateway):
    guarded_pushgateway.wipe()
    return guarded_pushgateway


def test_it_pushes_with_the_credentials(gateway):
    result = run_job(
        "run",
        "addition",
        PUSHGATEWAY_URL=gateway.url,
        PUSHGATEWAY_USERNAME=USER,
        PUSHGATEWAY_PASSWORD=PASSWORD,
    )

    assert result.returncode == 0, result.stderr
    assert not result.events("metrics.push_failed")
    assert gateway.value(SUCCESS, **GROUP) > 0


def test_it_reads_the_credentials_from_mounted_files(gateway, tmp_path):
    (tmp_path / "username").write_text(f"{USER}\n")
    (tmp_path / "password").write_text(f"{PASSWORD}\n")

    result = run_job(
        "run",
        "addition",
        PUSHGATEWAY_URL=gateway.url,
        PUSHGATEWAY_USERNAME_FILE=tmp_path / "username",
        PUSHGATEWAY_PASSWORD_FILE=tmp_path / "password",
    )

    assert result.returncode == 0, result.stderr
    assert gateway.value(SUCCESS, **GROUP) > 0


def test_a_rejected_password_is_logged_and_never_fails_the_run(gateway):
    wrong = "not-the-pa55word"
    result = run_job(
        "run",
        "addition",
        PUSHGATEWAY_URL=gateway.url,
        PUSHGATEWAY_USERNAME=USER,
        PUSHGATEWAY_PASSWORD=wrong,
    )

    assert result.returncode == 0
    assert result.summary["status"] == "succeeded"
    # It should log both pushes (start and end) as failed, naming the settings to check.
    failures = result.events("metrics.push_failed")
    assert [line["level"] for line in failures] == ["error", "error"]
    assert failures[0]["message"] == (
        f"Could not push metrics to {gateway.url}: HTTP 401 Unauthorized; "
        "check PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD."
    )
    assert wrong not in result.stdout + result.stderr
    assert gateway.value(SUCCESS, **GROUP) is None


def test_without_credentials_the_401_names_the_settings(gateway):
    result = run_job("run", "addition", PUSHGATEWAY_URL=gateway.url)

    assert result.returncode == 0
    failures = result.events("metrics.push_failed")
    assert len(failures) == 2
    assert all("HTTP 401" in line["error"] for line in failures)
    assert all("PUSHGATEWAY_USERNAME" in line["error"] for line in failures)
    assert gateway.value(SUCCESS, **GROUP) is None


def test_a_username_without_a_password_is_a_configuration_error():
    result = run_job(
        "run",
        "addition",
        PUSHGATEWAY_URL=f"http://127.0.0.1:{free_port()}",
        PUSHGATEWAY_USERNAME=USER,
    )

    assert result.returncode == 2
    assert "Set PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD together." in result.stderr


def test_credentials_inside_the_url_are_refused_without_showing_them():
    port = free_port()
    result = run_job(
        "run", "addition", PUSHGATEWAY_URL=f"http://{USER}:{PASSWORD}@127.0.0.1:{port}"
    )

    # It should stop before the run (urllib would take them for a host name), naming the settings.
    assert result.returncode == 2
    assert f"PUSHGATEWAY_URL http://127.0.0.1:{port} carries credentials" in result.stderr
    assert "PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr
