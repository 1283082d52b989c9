"""The admin as people use it: run history, users, conversations, and the schedules page."""

import pytest
from django.urls import reverse

from jobs.models import JobRun
from tests.support.processes import database_url, wait_until


@pytest.mark.django_db
def test_the_run_history_lists_and_filters_runs(admin_client_of, failed_statistics_run):
    JobRun.objects.create(job="addition", entry="addition", trigger="manual", status="succeeded")
    client = admin_client_of(superuser=True)

    page = client.get(reverse("admin:runs_jobrun_changelist"), {"status": "failed"})

    assert page.status_code == 200
    assert b"db gone" in page.content
    # It should filter: the succeeded run is not on the failed page.
    shown = [run.entry for run in page.context_data["cl"].result_list]
    assert shown == ["statistics"]


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["auth_user", "chat_conversation", "chat_statisticssnapshot"])
def test_the_other_admin_pages_render(admin_client_of, model):
    client = admin_client_of(superuser=True)

    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


@pytest.mark.django_db
def test_the_schedules_page_shows_every_chart_entry(admin_client_of):
    client = admin_client_of("view_jobrun")

    page = client.get(reverse("admin-entries"))

    assert page.status_code == 200
    for entry in (b"housekeeping", b"weekly-conversation-cleanup", b"statistics", b"health-check"):
        assert entry in page.content
    # It should not offer "Run now" to someone who may only look.
    assert b'value="Run now"' not in page.content


@pytest.mark.django_db
def test_run_now_is_refused_without_the_permission(admin_client_of):
    client = admin_client_of("view_jobrun")

    response = client.post(reverse("admin-entries-run", args=["addition"]))

    assert response.status_code == 403
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_run_now_on_one_machine_runs_the_entry_and_records_it(admin_client_of, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url())
    client = admin_client_of("view_jobrun", "run_now")

    response = client.post(reverse("admin-entries-run", args=["addition"]))

    assert response.status_code == 302
    run = wait_until(
        lambda: JobRun.objects.filter(entry="addition", status="succeeded").first(),
        timeout=60,
        message="the addition run to be recorded",
    )
    assert run.job == "addition" and run.arguments == {"x": 10, "y": 20}


@pytest.mark.django_db
def test_run_now_of_an_unknown_entry_is_404(admin_client_of):
    client = admin_client_of("view_jobrun", "run_now")

    assert client.post(reverse("admin-entries-run", args=["nope"])).status_code == 404
