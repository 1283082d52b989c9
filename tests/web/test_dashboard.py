"""The scheduler dashboard on one machine: every chart entry with its state, last outcome and
error, last success, next run in words, Run now with a confirmation; staff only."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from app.chat.models import StatisticsSnapshot
from jobs import entries, suspensions
from jobs.models import JobRun
from jobs.scheduler.models import EntrySchedule
from tests.support.processes import database_url, wait_until
from tests.support.runs import make_run
from tests.support.web import log_in

HOUR = timedelta(hours=1)
DASHBOARD = "/admin/scheduler/"
# On one machine the dashboard runs on SQLite (make web), or MariaDB: every database.
pytestmark = [pytest.mark.django_db, pytest.mark.core]


def entry_row(page: bytes, entry: str) -> str:
    """The board's row of one entry, as HTML."""
    html = page.decode()
    return re.search(rf'<tr data-entry="{entry}".*?</tr>', html, re.S)[0]


def test_it_shows_every_chart_entry_with_its_schedule_in_words_and_next_run(client):
    log_in(client, "runs.view_jobrun")

    page = client.get(DASHBOARD)

    assert page.status_code == 200
    for entry in entries.load():
        assert f'data-entry="{entry.name}"' in page.content.decode()
    housekeeping = entry_row(page.content, "housekeeping")
    assert "At 02:00 every day (UTC)" in housekeeping and "<code>0 2 * * *</code>" in housekeeping
    assert re.search(r">in \d+ (h|min)", housekeeping)
    # It should show an entry that never ran as new, not as failing or fine.
    assert "tone-quiet" in housekeeping and ">new<" in housekeeping
    # It should say a suspended entry is paused, and not when it will run.
    addition = entry_row(page.content, "addition")
    assert ">paused<" in addition and re.search(r">\s*suspended\s*<", addition)


def test_a_failing_entry_says_since_when_and_why_with_a_link_to_the_failed_run(client):
    make_run("statistics", 30 * HOUR, job="housekeeping")
    first = make_run("statistics", 12 * HOUR, "failed", job="housekeeping", error="db gone")
    last = make_run(
        "statistics", 6 * HOUR, "failed", job="housekeeping", error="connection refused"
    )
    make_run("statistics", 1 * HOUR, "skipped", job="housekeeping")
    log_in(client, "runs.view_jobrun")

    row = entry_row(client.get(DASHBOARD).content, "statistics")

    # It should flag it in red and in words, failing since the first failure...
    assert 'class="state-failing"' in row or "state-failing" in row
    assert 'badge tone-bad">failing<' in row
    # (The runs' ages count from when the test session started: minutes may have passed.)
    assert re.search(r"since 12 h( \d+ min)? ago", row)
    assert first.started_at.strftime("%H:%M:%S") in row
    # ...with the last outcome (the skip after it hides nothing) and its reason, linked.
    link = reverse("admin:runs_jobrun_change", args=[last.pk])
    assert f'<a href="{link}" class="badge tone-bad">failed</a>' in row
    assert f'class="error" href="{link}"' in row and "connection refused" in row
    assert "30 h ago" not in row and "1 d 6 h ago" in row  # the last success's age


def test_text_from_a_jobs_error_is_escaped(client):
    make_run("statistics", HOUR, "failed", job="housekeeping", error="<script>alert(1)</script>")
    log_in(client, "runs.view_jobrun")

    for url in (DASHBOARD, reverse("scheduler-board")):
        page = client.get(url).content.decode()

        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_board_refreshes_from_a_fragment_of_the_same_board(client):
    make_run("statistics", HOUR, "failed", job="housekeeping", error="db gone")
    log_in(client, "runs.view_jobrun")

    page = client.get(DASHBOARD).content.decode()
    fragment = client.get(reverse("scheduler-board")).content.decode()

    # It should name the fragment and the refresh period for the page's script...
    assert f'data-url="{reverse("scheduler-board")}"' in page and 'data-every="30"' in page
    assert re.search(r'<script src="/static/runs/board\.[0-9a-f]+\.js" defer>', page)
    # ...and the fragment should be the board alone, with the same rows.
    assert "<html" not in fragment and '<table id="entries"' in fragment
    assert entry_row(fragment.encode(), "statistics").count("db gone") == 2  # link and title


def test_it_shows_the_latest_runs_and_statistics(client):
    make_run("statistics", HOUR, job="housekeeping")
    StatisticsSnapshot.objects.create(
        total_users=11, total_conversations=20, total_messages=60, messages_last_24h=6
    )
    log_in(client, "runs.view_jobrun")

    page = client.get(DASHBOARD).content.decode()

    runs = re.search(r'<table id="latest-runs".*?</table>', page, re.S)[0]
    assert "statistics" in runs and "tone-good" in runs and " UTC</a>" in runs
    assert "<dt>Users</dt><dd>11</dd>" in page and "<dt>Messages, last 24 h</dt><dd>6</dd>" in page


def test_a_suspension_made_on_this_machine_pauses_the_entry_and_says_who(client):
    suspensions.record("housekeeping", True, "ops@laptop", "disk full")
    log_in(client, "runs.view_jobrun")

    row = entry_row(client.get(DASHBOARD).content, "housekeeping")

    assert ">paused<" in row and "suspended by ops@laptop: disk full" in row


def test_it_says_when_the_local_scheduler_last_fired_each_entry(client):
    fired = timezone.now() - timedelta(minutes=5)
    EntrySchedule.objects.create(entry="health-check", last_schedule_time=fired, fired_by="box:42")
    log_in(client, "runs.view_jobrun")

    page = client.get(DASHBOARD).content.decode()

    # (Seconds pass while the page is made: "5 min 1 s ago" is right too.)
    ago = r"5 min( \d+ s)? ago"
    assert re.search(f"last scheduled {ago}", entry_row(page.encode(), "health-check"))
    assert re.search(f"last fired an entry {ago}, on box:42\\.", page)


def test_without_a_local_scheduler_it_says_nothing_runs_on_schedule(client):
    log_in(client, "runs.view_jobrun")

    page = client.get(DASHBOARD).content.decode()

    assert "nothing runs on schedule here until <code>python -m jobs schedule</code>" in page


def test_a_values_file_that_cannot_be_read_is_said_on_the_page_and_by_the_api(
    client, tmp_path, settings
):
    broken = tmp_path / "values.yaml"
    broken.write_text("jobs:\n  housekeeping: [unclosed\n")
    # The app is given this override file (a typo in it): the chart's values cannot load.
    settings.CRONSUITE_VALUES = [str(broken)]
    log_in(client, "runs.view_jobrun", "runs.run_now")

    page = client.get(DASHBOARD)
    trigger = client.post(
        "/api/admin/scheduler/trigger", {"entry": "housekeeping"}, content_type="application/json"
    )

    assert page.status_code == 200
    assert "The chart&#x27;s values cannot be read: values file is not a cronsuite" in (
        page.content.decode()
    )
    assert trigger.status_code == 404
    assert "The chart's values cannot be read" in trigger.json()["error"]


def test_anonymous_users_and_others_without_staff_get_403(client):
    # (tests/web/test_staff_only.py goes through every page and what the 403 says.)
    for url in (DASHBOARD, reverse("scheduler-board"), "/admin/scheduler/addition/run/"):
        anonymous = client.get(url)
        assert anonymous.status_code == 403 and "/admin/login/?next=" in anonymous.content.decode()

    log_in(client, "runs.view_jobrun", "runs.run_now", staff=False)
    for url in (DASHBOARD, reverse("scheduler-board"), "/admin/scheduler/addition/run/"):
        assert client.get(url).status_code == 403


def test_staff_without_the_permission_to_view_runs_get_403(client):
    log_in(client)

    assert client.get(DASHBOARD).status_code == 403


def test_it_answers_at_the_old_dashboards_address_and_the_old_schedules_address(client):
    log_in(client, "runs.view_jobrun")

    for old in ("/scheduler-admin", "/scheduler-admin/", "/admin/entries/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (302, DASHBOARD)
    login = client.get("/api/auth/login")
    assert login["Location"] == "/admin/login/?next=/admin/scheduler/"
    # It should be linked from the admin's index.
    assert f'href="{DASHBOARD}"' in client.get("/admin/").content.decode()


def test_run_now_asks_first_without_javascript(client):
    log_in(client, "runs.view_jobrun", "runs.run_now")

    page = client.get("/admin/scheduler/statistics/run/").content.decode()

    assert "<code>housekeeping --task stats</code>" in page
    assert 'value="Yes, run statistics now"' in page
    assert not JobRun.objects.exists() and not LogEntry.objects.exists()


def test_run_now_is_not_offered_to_who_may_only_look(client):
    log_in(client, "runs.view_jobrun")

    page = client.get(DASHBOARD).content.decode()

    assert "Run now</button>" not in page and "run-now-dialog" not in page
    assert client.post("/admin/scheduler/addition/run/").status_code == 403


def test_run_now_of_an_entry_that_does_not_exist_is_404(client):
    log_in(client, "runs.view_jobrun", "runs.run_now")

    assert client.get("/admin/scheduler/nope/run/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_run_now_records_a_manual_run_and_who_pressed_it(client, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url())
    olga = log_in(client, "runs.view_jobrun", "runs.run_now")

    answer = client.post("/admin/scheduler/addition/run/", follow=True)

    assert answer.redirect_chain == [(DASHBOARD, 302)]
    (said,) = [str(m) for m in answer.context["messages"]]
    name = re.search(r"recorded as (addition-manual-\d+-[0-9a-f]+)\.", said)[1]
    run = wait_until(
        lambda: JobRun.objects.filter(kubernetes_job=name, status="succeeded").first(),
        timeout=60,
        message="the addition run to be recorded",
    )
    # It should be the entry's run, recorded as manual by olga, under the name the answer gave.
    assert (run.entry, run.job, run.trigger, run.started_by, run.arguments) == (
        "addition",
        "addition",
        "manual",
        "olga",
        {"x": 10, "y": 20},
    )
    # It should also log her press in the admin's log, and the run's page should say who.
    logged = LogEntry.objects.get(object_repr=name)
    assert logged.user == olga and logged.change_message.startswith("Run now: addition")
    page = client.get(reverse("admin:runs_jobrun_change", args=[run.pk])).content.decode()
    assert "manual, by olga</dd>" in page
