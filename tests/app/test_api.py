"""Seed 001's scheduler API: status, trigger and statistics as JSON, for staff only."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from tests.support.processes import database_url, wait_until


@pytest.mark.django_db
def test_status_lists_every_entry_with_its_last_run(admin_client_of, failed_statistics_run):
    client = admin_client_of("view_jobrun")

    body = client.get(reverse("scheduler-status")).json()

    entries = {e["entry"]: e for e in body["entries"]}
    assert entries["statistics"]["args"] == ["--task", "stats"]
    assert entries["statistics"]["last_run"]["error"] == "db gone"
    assert entries["statistics"]["last_success_at"] is None
    assert entries["housekeeping"]["last_run"] is None
    assert len(entries["health-check"]["next_runs"]) == 3


@pytest.mark.django_db
def test_it_refuses_anonymous_callers(client):
    assert client.get(reverse("scheduler-status")).status_code == 403
    assert client.get(reverse("scheduler-statistics")).status_code == 403


@pytest.mark.django_db
def test_statistics_answer_the_latest_snapshot(admin_client_of):
    StatisticsSnapshot.objects.create(
        total_users=3, total_conversations=4, total_messages=5, messages_last_24h=1
    )
    client = admin_client_of("view_statisticssnapshot")

    body = client.get(reverse("scheduler-statistics")).json()

    assert (body["total_users"], body["total_messages"], body["messages_last_24h"]) == (3, 5, 1)


@pytest.mark.django_db
def test_statistics_before_any_snapshot_is_404_with_a_hint(admin_client_of):
    response = admin_client_of("view_statisticssnapshot").get(reverse("scheduler-statistics"))

    assert response.status_code == 404 and "housekeeping" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, status", [(b"not json", 400), (b"{}", 400), (b'{"entry": "nope"}', 404)]
)
def test_trigger_rejects_a_bad_request(admin_client_of, body, status):
    client = admin_client_of("view_jobrun", "run_now")

    response = client.post(reverse("scheduler-run-now"), body, content_type="application/json")

    assert response.status_code == status and response.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_trigger_starts_the_entry(admin_client_of, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url())
    client = admin_client_of("view_jobrun", "run_now")

    response = client.post(
        reverse("scheduler-run-now"),
        json.dumps({"entry": "addition"}),
        content_type="application/json",
    )

    assert response.status_code == 202
    wait_until(
        lambda: JobRun.objects.filter(entry="addition", status="succeeded").exists(),
        timeout=60,
        message="the triggered run",
    )


@pytest.mark.django_db
def test_a_user_who_is_not_staff_is_refused_even_with_the_permission(client):
    user = User.objects.create_user("pat")
    user.user_permissions.add(Permission.objects.get(codename="view_jobrun"))
    client.force_login(user)

    response = client.get(reverse("scheduler-status"))

    assert response.status_code == 403 and "Staff only" in response.json()["error"]


@pytest.mark.django_db
def test_an_anonymous_trigger_is_refused(client):
    response = client.post(
        reverse("scheduler-run-now"), b'{"entry": "addition"}', "application/json"
    )

    assert response.status_code == 403
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_trigger_needs_the_csrf_token_like_any_admin_form(admin_client_of):
    admin_client_of("view_jobrun", "run_now")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(username="olga"))

    response = strict.post(
        reverse("scheduler-run-now"), b'{"entry": "addition"}', "application/json"
    )

    assert response.status_code == 403
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_a_trigger_the_cluster_refuses_answers_502_with_the_reason(
    admin_client_of, settings, monkeypatch, tmp_path
):
    settings.CRONSUITE_CRONJOB_PREFIX = "cronsuite-"
    settings.CRONSUITE_NAMESPACE = "jobs"
    # Neither in a pod nor with a kubeconfig: the Kubernetes client cannot be configured.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing-kubeconfig"))
    client = admin_client_of("view_jobrun", "run_now")

    response = client.post(
        reverse("scheduler-run-now"), b'{"entry": "addition"}', "application/json"
    )

    assert response.status_code == 502
    assert response.json()["error"].startswith("Could not start addition:")
