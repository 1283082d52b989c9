"""No URL is ever shown with its credentials or query string, and no secret setting is ever shown:
not in a log line on stdout, not in the --log-file, not in the JobRun row, not on stderr.

The secret parts of every URL setting join SECRET_VALUES (app/settings.py, app.env.url_secrets),
so the masking that covers secret settings covers them too; messages that name a URL show it as
app.env.shown_url does: scheme://host:port/path."""

import logging

import pytest
from django.db import connection

from app.env import shown_url, url_secrets
from jobs.models import JobRun
from jobs.runtime.masking import mask
from tests.support.peers import LiveApp, Reply, ScriptedServer
from tests.support.processes import database_url, free_port, run_job

KEY = "K3yS3cret"


def closed_port_url(path: str) -> str:
    return f"http://127.0.0.1:{free_port()}{path}"


def run_logged(tmp_path, *args: str, **env):
    """A run with --log-file; returns the result and everything it showed anywhere."""
    log_file = tmp_path / "run.log"
    result = run_job("run", *args[:1], "--log-file", str(log_file), *args[1:], **env)
    rows = " ".join(JobRun.objects.values_list("error", flat=True))
    shown = "\n".join([result.stdout, result.stderr, log_file.read_text(), rows])
    return result, shown


def test_a_url_shows_scheme_host_port_and_path_only():
    assert shown_url("https://user:pw@api.example.com:8443/export?api_key=K") == (
        "https://api.example.com:8443/export"
    )
    assert shown_url("api.example.com/export?api_key=K") == "api.example.com/export"
    assert shown_url("postgres://u:p@db:5432/app?sslmode=require") == "postgres://db:5432/app"


def test_the_secrets_of_a_url_are_its_userinfo_password_and_query_as_written_and_decoded():
    assert set(url_secrets("https://app:p%40ss@h/x?api_key=K3y%2B&b=2")) == {
        "app:p%40ss",
        "p%40ss",
        "app:p@ss",
        "p@ss",
        "api_key=K3y%2B&b=2",
        "api_key=K3y+&b=2",
        "K3y%2B",
        "K3y+",
        "2",
    }
    # It should take a lone user name for a token in an HTTP URL, never in a database URL.
    assert url_secrets("https://T0kenValue@api.example.com/") == ["T0kenValue"]
    assert url_secrets("postgres://postgres@127.0.0.1:5432/app") == []
    # It should hide all of a URL it cannot parse.
    assert url_secrets("http://[::1/x?k=v") == ["http://[::1/x?k=v"]


def test_masking_hides_the_whole_userinfo_not_only_the_password():
    secrets = url_secrets("https://app:pa55word@h/x")

    assert mask("GET https://app:pa55word@h/x failed", secrets) == "GET https://***@h/x failed"


URL_SETTINGS = [
    ("BASE_URL", f"https://app:B4seS3cret@app.example.com/?token={KEY}", ["B4seS3cret", KEY]),
    ("TIMETABLE_FEED_URL", f"https://feeds.example.com/t.json?key={KEY}", [KEY]),
    ("EXTERNAL_DATA_URL", f"api.example.com/export?api_key={KEY}", [KEY]),
    # Unreachable: both pushes fail, and their messages show the URL.
    ("PUSHGATEWAY_URL", closed_port_url(f"/?token={KEY}"), [KEY]),
]


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("setting, url, secrets", URL_SETTINGS, ids=[s[0] for s in URL_SETTINGS])
def test_no_url_setting_shows_its_secrets_even_when_quoted_whole(tmp_path, setting, url, secrets):
    # An error message that quotes the URL in full, as requests' MissingSchema and InvalidURL do.
    result, shown = run_logged(tmp_path, "fail", "--message", f"cannot use {url}", **{setting: url})

    assert result.returncode == 1
    assert not any(secret in shown for secret in secrets)
    # It should keep the rest of the message, with the secrets replaced.
    assert shown_url(url) in JobRun.objects.get().error.replace("***@", "")
    assert "***" in JobRun.objects.get().error


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_no_secret_setting_is_shown(tmp_path):
    secrets = {"EMAIL_HOST_PASSWORD": "smtp-S3cret", "PUSHGATEWAY_PASSWORD": "push-S3cret"}
    message = " ".join(secrets.values())

    result, shown = run_logged(
        tmp_path, "fail", "--message", message, PUSHGATEWAY_USERNAME="cronsuite", **secrets
    )

    assert result.returncode == 1
    assert not any(secret in shown for secret in secrets.values())
    assert JobRun.objects.get().error == "*** ***"


@pytest.mark.django_db(transaction=True)
def test_database_url_shows_neither_its_password_nor_its_query(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("trust authentication lets any password in: PostgreSQL only")
    user = settings.DATABASES["default"]["USER"]
    url = database_url().replace(f"//{user}@", f"//{user}:db-pa55@") + "?application_name=AppS3cret"

    result, shown = run_logged(tmp_path, "fail", "--message", f"dsn {url}", DATABASE_URL=url)

    assert result.returncode == 1
    assert "db-pa55" not in shown and "AppS3cret" not in shown
    assert JobRun.objects.get().error.startswith("dsn postgres://***@")


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_a_scheme_less_external_data_url_exits_2_without_showing_its_key(tmp_path):
    url = f"api.example.com/export?api_key={KEY}"

    result, shown = run_logged(tmp_path, "sync-external-data", EXTERNAL_DATA_URL=url)

    # It should name the setting and show the URL without its query.
    assert result.returncode == 2
    assert result.summary["error"] == (
        "EXTERNAL_DATA_URL api.example.com/export is not a valid http(s) URL."
    )
    assert KEY not in shown


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_external_data_url_shows_where_it_went_without_its_key(tmp_path):
    url = closed_port_url(f"/export.json?api_key={KEY}")

    result, shown = run_logged(tmp_path, "sync-external-data", EXTERNAL_DATA_URL=url)

    assert result.returncode == 1
    assert result.summary["error"].startswith(f"Cannot fetch EXTERNAL_DATA_URL {shown_url(url)}: ")
    assert KEY not in shown


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_sync_timetable_shows_base_url_without_its_credentials(tmp_path):
    with ScriptedServer(Reply(500, {"error": "down"})) as app:
        base_url = app.url.replace("//", "//app:B4seS3cret@")
        result, shown = run_logged(
            tmp_path,
            "sync-timetable",
            BASE_URL=base_url,
            TOKEN="timetable-token",
            SYNC_TIMETABLE_RETRIES=0,
        )

    assert result.returncode == 1
    assert result.events("sync_timetable.calling")[0]["url"] == f"{app.url}/api/groups/update"
    assert result.summary["error"] == f"POST {app.url}/api/groups/update answered HTTP 500: down"
    assert "B4seS3cret" not in shown


@pytest.mark.core
@pytest.mark.django_db(transaction=True)
def test_a_scheme_less_base_url_exits_2_naming_it(tmp_path):
    result, shown = run_logged(
        tmp_path, "sync-timetable", BASE_URL="app:B4seS3cret@app.example.com", TOKEN="tok3n-value"
    )

    assert result.returncode == 2
    assert result.summary["error"].startswith("BASE_URL is not a valid http(s) URL")
    assert "B4seS3cret" not in shown


@pytest.mark.django_db(transaction=True)
def test_the_app_never_logs_the_timetable_feed_url_with_its_key(settings, caplog, tmp_path):
    settings.TOKEN = "timetable-token"
    settings.TIMETABLE_FEED_URL = closed_port_url(f"/timetable.json?key={KEY}")
    with LiveApp() as app, caplog.at_level(logging.WARNING, logger="app.timetable.sync"):
        result, shown = run_logged(
            tmp_path,
            "sync-timetable",
            BASE_URL=app.url,
            TOKEN="timetable-token",
            SYNC_TIMETABLE_RETRIES=0,
        )

    assert result.returncode == 1
    # It should log where it could not go, and why, in the app's own log.
    (warning,) = [record for record in caplog.records if record.name == "app.timetable.sync"]
    assert warning.getMessage().startswith(
        f"Cannot reach the timetable feed {shown_url(settings.TIMETABLE_FEED_URL)}: "
    )
    assert "Connection refused" in warning.getMessage()
    assert KEY not in caplog.text + shown
