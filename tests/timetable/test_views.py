"""POST /api/groups/update refuses what it must before it reads any feed."""

import pytest

from app.timetable.models import Group

pytestmark = pytest.mark.django_db

URL = "/api/groups/update"
TOKEN = "view-test-token-0b1c"


@pytest.fixture
def configured(settings):
    settings.TOKEN = TOKEN
    # Nothing listens on port 9: a request that got past the checks would answer 502.
    settings.TIMETABLE_FEED_URL = "http://127.0.0.1:9/timetable.json"
    settings.TIMETABLE_FEED_TIMEOUT = 1
    return settings


def test_it_refuses_get(client, configured):
    response = client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer tökén", TOKEN]
)
def test_it_answers_401_without_the_right_token(client, configured, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.post(URL, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "Missing or wrong bearer token."}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_it_answers_503_when_the_server_has_no_token(client, configured):
    configured.TOKEN = None

    response = client.post(URL, headers={"Authorization": "Bearer "})

    assert response.status_code == 503
    assert response.json() == {"error": "The server has no TOKEN configured."}


def test_it_answers_503_when_the_server_has_no_feed_url(client, configured):
    configured.TIMETABLE_FEED_URL = None

    response = client.post(URL, headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 503
    assert "TIMETABLE_FEED_URL" in response.json()["error"]


def test_it_answers_502_when_the_feed_is_down(client, configured):
    response = client.post(URL, headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 502
    assert response.json()["error"].startswith("Cannot reach the timetable feed")
    assert not Group.objects.exists()
