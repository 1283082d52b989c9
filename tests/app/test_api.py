"""The old scheduler dashboard's API: status, trigger and statistics as JSON, for staff only, with a token
a staff user creates in the admin or the admin's session; every refusal answers JSON."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from tests.support.processes import database_url, wait_until
from tests.support.runs import make_run
from tests.support.web import log_in

pytestmark = pytest.mark.django_db
STATUS, TRIGGER, STATISTICS = (
    "/api/admin/scheduler/status",
    "/api/admin/scheduler/trigger",
    ("/api/admin/scheduler/statistics"),
)


def bearer(user: User) -> dict:
    return {"Authorization": f"Bearer {Token.objects.create(user=user).key}"}


def post(client, url: str, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_status_lists_every_entry_with_its_state_and_last_outcome(client):
    make_run("statistics", timedelta(hours=5), job="housekeeping")
    make_run("statistics", timedelta(hours=2), "failed", job="housekeeping", error="db gone")
    make_run("statistics", timedelta(hours=1), "skipped", job="housekeeping")
    log_in(client, "runs.view_jobrun")

    body = client.get(STATUS).json()

    entries = {e["entry"]: e for e in body["entries"]}
    statistics = entries["statistics"]
    assert statistics["args"] == ["--task", "stats"]
    assert statistics["state"] == "failing" and statistics["failing_since"]
    # It should answer the last outcome, not the skip that came after it.
    assert (statistics["last_run"]["status"], statistics["last_run"]["error"]) == (
        "failed",
        "db gone",
    )
    assert statistics["last_run"]["exit_meaning"] == "1 failed"
    assert statistics["schedule_in_words"] == "At minute 0 past every sixth hour (UTC)"
    assert entries["housekeeping"]["last_run"] is None and entries["housekeeping"]["state"] == "new"
    assert len(entries["health-check"]["next_runs"]) == 3
    assert body["source"] == "the chart's values on this machine (values.yaml)"


def test_an_anonymous_caller_gets_401_in_json_saying_how_to_authenticate(client):
    for response in (client.get(STATUS), client.get(STATISTICS), post(client, TRIGGER, {})):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"] == "Bearer"
        assert "Authorization: Bearer TOKEN" in response.json()["error"]
    assert not JobRun.objects.exists()


def test_a_user_who_is_not_staff_is_refused_even_with_the_permission_and_a_token(client):
    pat = log_in(client, "runs.view_jobrun", username="pat", staff=False)

    by_session = client.get(STATUS)
    by_token = Client().get(STATUS, headers=bearer(pat))

    for response in (by_session, by_token):
        assert response.status_code == 403
        assert response.json() == {"error": "Staff only: this account is not a staff account."}


def test_staff_without_the_permission_are_told_which_one(client):
    log_in(client, "runs.view_jobrun")

    response = post(client, TRIGGER, {"entry": "addition"})

    assert response.status_code == 403
    assert response.json()["error"] == "This account lacks the permission runs.run_now."


def test_a_token_answers_as_its_staff_user_until_it_is_revoked():
    olga = User.objects.create_user("olga", is_staff=True, is_superuser=True)
    headers = bearer(olga)
    StatisticsSnapshot.objects.create(
        total_users=3, total_conversations=4, total_messages=5, messages_last_24h=1
    )

    body = Client().get(STATISTICS, headers=headers).json()
    Token.objects.filter(user=olga).delete()
    revoked = Client().get(STATISTICS, headers=headers)

    assert (body["total_users"], body["total_messages"], body["messages_last_24h"]) == (3, 5, 1)
    assert revoked.status_code == 401 and revoked.json() == {"error": "Invalid token."}


def test_django_rest_frameworks_own_token_keyword_works_too():
    olga = User.objects.create_user("olga", is_staff=True, is_superuser=True)
    key = Token.objects.create(user=olga).key

    assert Client().get(STATUS, headers={"Authorization": f"Token {key}"}).status_code == 200


def test_a_staff_user_creates_and_revokes_tokens_in_the_admin(admin_client_of):
    client = admin_client_of(superuser=True)
    olga = User.objects.get(username="olga")

    created = client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": olga.pk})
    assert Token.objects.filter(user=olga).exists()
    # The admin lists tokens by their user.
    revoked = client.post(
        reverse("admin:authtoken_tokenproxy_delete", args=[olga.pk]), {"post": "yes"}
    )

    assert created.status_code == 302 and revoked.status_code == 302
    assert not Token.objects.exists()


def test_statistics_before_any_snapshot_is_404_with_a_hint(client):
    log_in(client, "chat.view_statisticssnapshot")

    response = client.get(STATISTICS)

    assert response.status_code == 404 and "housekeeping" in response.json()["error"]


@pytest.mark.parametrize(
    "body, status, says",
    [
        (b"not json", 400, "JSON parse error"),
        (b"{}", 400, '{"entry": "<schedule entry>"}'),
        (b'{"entry": "nope"}', 404, "No schedule entry 'nope'. Entries: addition,"),
        (b'{"task": "messages"}', 404, "tasks with an entry: all, conversations, stats."),
    ],
)
def test_trigger_rejects_a_bad_request_in_json(client, body, status, says):
    log_in(client, "runs.view_jobrun", "runs.run_now")

    response = client.post(TRIGGER, body, content_type="application/json")

    assert response.status_code == status and says in response.json()["error"]


def test_wrong_methods_and_unknown_endpoints_answer_json(client):
    log_in(client, "runs.view_jobrun", "runs.run_now")

    wrong = client.get(TRIGGER)
    unknown = client.get("/api/admin/scheduler/nothing-here")

    assert (wrong.status_code, wrong.json()) == (405, {"error": 'Method "GET" not allowed.'})
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "No API endpoint /api/admin/scheduler/nothing-here."}


def test_a_session_post_without_the_csrf_token_is_refused_in_json():
    olga = User.objects.create_user("olga", is_staff=True, is_superuser=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(olga)

    response = post(strict, TRIGGER, {"entry": "addition"})

    assert response.status_code == 403
    assert response.json()["error"].startswith("CSRF Failed")
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_trigger_with_a_token_starts_the_entry_and_names_the_run_to_follow(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url())
    olga = User.objects.create_user("olga", is_staff=True, is_superuser=True)
    # A token needs no CSRF token: it is not a cookie a browser sends by itself.
    client = Client(enforce_csrf_checks=True, headers=bearer(olga))

    answer = post(client, TRIGGER, {"entry": "addition"})

    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert (
        body["entry"] == "addition" and body["follow"] == f"/api/admin/scheduler/runs/{body['run']}"
    )
    run = wait_until(
        lambda: (
            client.get(body["follow"]).json().get("status") == "succeeded"
            and client.get(body["follow"]).json()
        ),
        timeout=60,
        message="the triggered run to succeed",
    )
    # It should be the run the answer named, recorded as started by the token's user.
    assert (run["trigger"], run["name"], run["exit_code"]) == ("manual", body["run"], 0)
    assert run["started_by"] == "olga"
    assert client.get(f"/api/admin/scheduler/runs/{run['id']}").json()["name"] == body["run"]


def test_a_run_not_recorded_yet_is_404_saying_so(client):
    log_in(client, "runs.view_jobrun")

    response = client.get("/api/admin/scheduler/runs/addition-manual-1-abcd")

    assert response.status_code == 404 and "recorded yet" in response.json()["error"]


def test_a_trigger_the_cluster_refuses_answers_502_with_the_reason(
    client, settings, monkeypatch, tmp_path
):
    settings.CRONSUITE_CRONJOB_PREFIX = "cronsuite-"
    settings.CRONSUITE_NAMESPACE = "jobs"
    # Neither in a pod nor with a kubeconfig (what KUBECONFIG named when the client was imported).
    missing = str(tmp_path / "missing-kubeconfig")
    monkeypatch.setattr("kubernetes.config.kube_config.KUBE_CONFIG_DEFAULT_LOCATION", missing)
    log_in(client, "runs.view_jobrun", "runs.run_now")

    response = post(client, TRIGGER, {"entry": "addition"})

    assert response.status_code == 502
    assert response.json()["error"].startswith("Could not start addition: no Kubernetes")
