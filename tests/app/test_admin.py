"""The admin as people use it: the run history (coloured, exact, read-only), a run's page with
its traceback, read-only statistics snapshots, and the other pages."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from tests.support.runs import make_run

pytestmark = pytest.mark.django_db
RUNS = "admin:runs_jobrun_changelist"


def test_the_run_history_lists_and_filters_runs(admin_client_of, failed_statistics_run):
    JobRun.objects.create(job="addition", entry="addition", trigger="manual", status="succeeded")
    client = admin_client_of(superuser=True)

    page = client.get(reverse(RUNS), {"status": "failed"})

    assert page.status_code == 200
    assert b"db gone" in page.content
    # It should filter: the succeeded run is not on the failed page.
    shown = [run.entry for run in page.context_data["cl"].result_list]
    assert shown == ["statistics"]


def test_the_history_shows_status_in_colour_exact_times_duration_and_exit_meaning(
    admin_client_of,
):
    run = make_run("statistics", timedelta(hours=2), "timed_out", error="deadline", exit_code=124)
    client = admin_client_of("view_jobrun")

    page = client.get(reverse(RUNS)).content.decode()

    assert '<span class="badge tone-bad">timed_out</span>' in page
    assert run.started_at.strftime("%Y-%m-%d %H:%M:%S UTC") in page
    assert "5.0 s" in page and "124 deadline exceeded" in page
    # It should put the error before the columns a person reads less (host is on the run page).
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', page)
    assert headers.index("error_summary") < headers.index("duration") < headers.index("job")


def test_a_runs_page_shows_its_error_traceback_and_times(admin_client_of):
    run = make_run("statistics", timedelta(hours=1), "failed", job="housekeeping", error="boom")
    JobRun.objects.filter(pk=run.pk).update(traceback='Traceback\n  File "x.py"\nValueError: <b>')
    client = admin_client_of("view_jobrun")

    page = client.get(reverse("admin:runs_jobrun_change", args=[run.pk])).content.decode()

    assert (
        '<pre class="traceback">Traceback\n  File &quot;x.py&quot;\nValueError: &lt;b&gt;' in page
    )
    assert '<p class="run-error">boom</p>' in page
    assert (
        "<dt>Duration</dt><dd>5.0 s</dd>" in page and "<dt>Exit code</dt><dd>1 failed</dd>" in page
    )
    assert run.started_at.strftime("%Y-%m-%d %H:%M:%S UTC") in page


def test_runs_cannot_be_added_changed_or_deleted_by_hand(admin_client_of, failed_statistics_run):
    client = admin_client_of(superuser=True)
    run = failed_statistics_run

    added = client.get(reverse("admin:runs_jobrun_add"))
    changed = client.post(
        reverse("admin:runs_jobrun_change", args=[run.pk]), {"status": "succeeded"}
    )
    deleted = client.post(reverse("admin:runs_jobrun_delete", args=[run.pk]), {"post": "yes"})
    bulk = client.post(
        reverse(RUNS), {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"}
    )

    # It should refuse each, even to a superuser, and leave the run as it was.
    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    run.refresh_from_db()
    assert run.status == "failed"


def test_statistics_snapshots_are_read_only_too(admin_client_of):
    snapshot = StatisticsSnapshot.objects.create(
        total_users=1, total_conversations=2, total_messages=3, messages_last_24h=0
    )
    client = admin_client_of(superuser=True)

    change = reverse("admin:chat_statisticssnapshot_change", args=[snapshot.pk])
    assert client.get(reverse("admin:chat_statisticssnapshot_add")).status_code == 403
    assert client.post(change, {"total_users": 99}).status_code == 403
    assert client.get(change).status_code == 200  # it can still be looked at
    snapshot.refresh_from_db()
    assert snapshot.total_users == 1


def test_text_from_a_jobs_error_is_escaped_in_the_history(admin_client_of):
    run = make_run("statistics", timedelta(hours=1), "failed", error="<img src=x onerror=alert(1)>")
    client = admin_client_of("view_jobrun")

    for url in (reverse(RUNS), reverse("admin:runs_jobrun_change", args=[run.pk])):
        page = client.get(url).content.decode()
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("model", ["auth_user", "chat_conversation", "chat_statisticssnapshot"])
def test_the_other_admin_pages_render(admin_client_of, model):
    client = admin_client_of(superuser=True)

    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_the_run_list_stops_counting_past_its_cap_and_says_so(admin_client_of, monkeypatch):
    monkeypatch.setattr("jobs.web.paging.CappedPaginator.cap", 5)
    for hours in range(1, 8):
        make_run("statistics", timedelta(hours=hours))
    client = admin_client_of("view_jobrun")

    page = client.get(reverse(RUNS)).content.decode()
    searched = client.get(reverse(RUNS), {"q": "statistics"}).content.decode()

    assert "More than 5 job runs: the newest 5 are paged" in page
    assert "more than 5 results" in searched


def test_under_its_cap_the_run_list_counts_exactly(admin_client_of):
    make_run("statistics", timedelta(hours=1))
    make_run("statistics", timedelta(hours=2))
    client = admin_client_of("view_jobrun")

    assert re.search(r"\n2 job runs\n", client.get(reverse(RUNS)).content.decode())
