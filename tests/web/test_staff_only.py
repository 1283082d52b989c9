"""Staff only, everywhere: every page of the admin and the dashboard answers anyone but an active
staff user with 403 and a page saying so (never the login form, which the board's script would
inject into the board), and the API answers 401 without credentials, 403 with a non-staff's.
The table covers every URL of the URLconf: a new one must say which kind it is."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from rest_framework.authtoken.models import Token

# On one machine the app runs on SQLite (make web), or MariaDB: every database.
pytestmark = [pytest.mark.django_db, pytest.mark.core]

# Pages of the admin and the dashboard: (method, path). An object that does not exist is fine:
# who is not staff must not even learn that.
PAGES = [
    ("GET", "/admin/"),
    ("GET", "/admin/runs/"),
    ("GET", "/admin/runs/jobrun/"),
    ("GET", "/admin/runs/jobrun/1/change/"),
    ("GET", "/admin/runs/jobrun/1/history/"),
    ("POST", "/admin/auth/user/add/"),
    ("POST", "/admin/auth/user/1/delete/"),
    ("GET", "/admin/password_change/"),
    ("GET", "/admin/jsi18n/"),
    ("GET", "/admin/r/1/1/"),
    ("GET", "/admin/no-such-page/"),
    ("GET", "/admin/scheduler/"),
    ("GET", "/admin/scheduler/board/"),
    ("GET", "/admin/scheduler/addition/run/"),
    ("POST", "/admin/scheduler/addition/run/"),
    ("GET", "/admin/entries/"),
    ("GET", "/scheduler-admin"),
    ("GET", "/scheduler-admin/"),
]
API = [
    ("GET", "/api/admin/scheduler/status"),
    ("POST", "/api/admin/scheduler/trigger"),
    ("GET", "/api/admin/scheduler/statistics"),
    ("GET", "/api/admin/scheduler/runs/1"),
    ("GET", "/api/admin/no-such-endpoint"),
]
# Not staff's: the login and its old address, logout, the probes, and the endpoint the
# sync-timetable job calls with its own TOKEN (tests/timetable/).
OPEN = [
    ("GET", "/admin/login/"),
    ("POST", "/admin/logout/"),
    ("GET", "/api/auth/login"),
    ("GET", "/healthz"),
    ("POST", "/api/groups/update"),
]


def user(username: str, **flags) -> User:
    """An account holding every permission the pages and the API ask for."""
    account = User.objects.create_user(username, password="not-a-secret", **flags)
    account.user_permissions.add(*Permission.objects.filter(content_type__app_label="runs"))
    return account


def visitor(who: str, csrf_checked: bool = True) -> Client:
    """A browser as `who`, CSRF checked as a real one is unless told."""
    client = Client(enforce_csrf_checks=csrf_checked)
    if who == "a user who is not staff":
        client.force_login(user("pat", is_staff=False))
    if who == "an inactive staff user":
        client.force_login(user("ivy", is_staff=True, is_superuser=True, is_active=False))
    return client


def call(client: Client, method: str, path: str, **headers):
    if method == "POST":
        return client.post(path, {}, headers=headers)
    return client.get(path, headers=headers)


def covered_routes(urls) -> set[str]:
    """The route of every URL pattern those URLs reach; the admin's as one, "admin/"."""
    return {"admin/" if m.namespace == "admin" else m.route for m in map(resolve, urls)}


def every_route(patterns=None, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver) and pattern.namespace == "admin":
            routes.add("admin/")
        elif isinstance(pattern, URLResolver):
            routes |= every_route(pattern.url_patterns, route)
        else:
            routes.add(route)
    return routes


def test_the_table_covers_every_url_of_the_app():
    tables = [path for _, path in PAGES + API + OPEN]

    # It should leave no URL out: a new one is added to a table, saying whose it is.
    assert every_route() - covered_routes(tables) == set()


@pytest.mark.parametrize("who", ["nobody", "an inactive staff user"])
@pytest.mark.parametrize("method, path", PAGES)
def test_a_page_asks_who_is_not_logged_in_as_staff_to_log_in_with_403(who, method, path):
    response = call(visitor(who), method, path)

    # It should refuse with 403, not send to the login page, nor fail the CSRF check first...
    assert response.status_code == 403 and "Location" not in response
    page = response.content.decode()
    assert "<h1>Staff only</h1>" in page and "you are not logged in" in page
    # ...and link to the login page, back to the page asked for.
    assert f'<a href="/admin/login/?next={path}">Log in</a>' in page
    # It should never be the login form itself: the board's script must not show one.
    assert 'name="password"' not in page and 'id="login-form"' not in page
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("method, path", PAGES)
def test_a_page_refuses_a_user_who_is_not_staff_with_403_saying_who_they_are(method, path):
    response = call(visitor("a user who is not staff"), method, path)

    assert response.status_code == 403 and "Location" not in response
    page = response.content.decode()
    assert "<h1>Staff only</h1>" in page
    assert "you are logged in as <strong>pat</strong>, which is not an active staff" in page
    assert f'<a href="/admin/login/?next={path}">Log in with a staff account</a>' in page
    assert 'name="password"' not in page


@pytest.mark.parametrize("method, path", API)
def test_the_api_answers_401_without_credentials_saying_how_to_send_them(method, path):
    for who in ("nobody", "an inactive staff user"):  # an inactive account's session is none
        response = call(visitor(who), method, path)

        assert response.status_code == 401, who
        assert response["WWW-Authenticate"] == "Bearer"
        assert "Authorization: Bearer TOKEN" in response.json()["error"]


@pytest.mark.parametrize("method, path", API)
def test_the_api_answers_403_to_the_credentials_of_a_user_who_is_not_staff(method, path):
    # (A session's POST without the CSRF token is refused first, in JSON too: tests/app/test_api.py.)
    by_session = call(visitor("a user who is not staff", csrf_checked=False), method, path)
    key = Token.objects.create(user=User.objects.get(username="pat")).key
    by_token = call(Client(), method, path, Authorization=f"Bearer {key}")

    for response in (by_session, by_token):
        assert response.status_code == 403
        assert response.json() == {"error": "Staff only: this account is not a staff account."}


def test_the_token_of_an_inactive_staff_user_is_refused_with_401():
    ivy = user("ivy", is_staff=True, is_superuser=True, is_active=False)
    key = Token.objects.create(user=ivy).key

    response = Client().get(
        "/api/admin/scheduler/status", headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 401 and response.json() == {"error": "User inactive or deleted."}


@pytest.mark.parametrize("method, path", OPEN)
def test_the_login_logout_probes_and_the_apps_own_endpoint_are_not_staff_only(method, path):
    response = call(Client(), method, path)

    assert response.status_code != 403 and b"Staff only" not in response.content


def test_the_login_page_and_the_static_files_stay_reachable():
    login = Client().get("/admin/login/?next=/admin/scheduler/")
    stylesheet = Client().get("/static/admin/css/base.css")

    assert login.status_code == 200 and 'id="login-form"' in login.content.decode()
    assert stylesheet.status_code == 200


def test_active_staff_get_the_pages_and_the_api():
    olga = Client()
    olga.force_login(user("olga", is_staff=True))

    assert olga.get("/admin/scheduler/board/").status_code == 200
    assert olga.get("/admin/runs/jobrun/").status_code == 200
    assert olga.get("/api/admin/scheduler/status").status_code == 200
    # Who is staff learns what does not exist.
    assert olga.get("/api/admin/no-such-endpoint").status_code == 404
