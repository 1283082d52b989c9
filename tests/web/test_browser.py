"""The dashboard in a real browser (headless Chromium), against the app served as in the image
(gunicorn, DEBUG off, whitenoise): log in, see the failing entry and why, Run now, confirm, and
see the run appear without the page reloading. Screenshots are kept in tests/artefacts/."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from tests.support.browser import Browser
from tests.support.runs import make_run
from tests.support.web import WebServer

pytestmark = pytest.mark.django_db(transaction=True)
HOUR = timedelta(hours=1)
ERROR = "connection to server at db:5432 refused <b>is it running?</b>"
RED = "rgba(207, 34, 46, 1)"


def operator() -> User:
    olga = User.objects.create_user("olga", password="a-long-password", is_staff=True)
    for codename in ("view_jobrun", "run_now", "view_statisticssnapshot"):
        olga.user_permissions.add(Permission.objects.get(codename=codename))
    return olga


def failing_statistics() -> JobRun:
    make_run("statistics", 30 * HOUR, job="housekeeping")
    failed = make_run("statistics", 6 * HOUR, "failed", job="housekeeping", error=ERROR)
    JobRun.objects.filter(pk=failed.pk).update(
        traceback='Traceback (most recent call last):\n  File "jobs/catalog/housekeeping.py"'
        ", line 40, in handle\npsycopg.OperationalError: " + ERROR
    )
    StatisticsSnapshot.objects.create(
        total_users=11, total_conversations=20, total_messages=60, messages_last_24h=6
    )
    return failed


def text(browser, css: str) -> str:
    return browser.find(css).text


@pytest.fixture
def browser(static_root):
    with WebServer(static_root) as server, Browser(server.url) as browser:
        yield browser


def test_an_operator_sees_what_failed_and_runs_an_entry_now(browser):
    operator()
    failing_statistics()

    browser.log_in("olga", "a-long-password", then="/admin/scheduler/")
    browser.wait_for(lambda: browser.find_all("#entries"), "the dashboard")
    browser.script("window.notReloaded = true")
    browser.screenshot("dashboard")

    # It should flag the failing entry in red and in words, with its error as written.
    row = 'tr[data-entry="statistics"]'
    assert text(browser, f"{row} .col-state .badge") == "failing"
    badge = browser.find(f"{row} .col-state .badge")
    assert badge.value_of_css_property("background-color") == RED
    assert ERROR in text(browser, f"{row} .col-outcome a.error")
    # (The runs' ages count from when the test session started: minutes may have passed.)
    assert re.search(r"since 6 h( \d+ min)? ago", text(browser, f"{row} .col-state"))

    # It should ask before running, then start the entry and show its run, without reloading.
    browser.find('tr[data-entry="addition"] button.run-now').click()
    dialog = browser.find("#run-now-dialog")
    browser.wait_for(dialog.is_displayed, "the confirmation")
    assert "addition --x 10 --y 20" in dialog.text
    browser.screenshot("dashboard-run-now-confirmation")
    dialog.find_element("css selector", "button[data-confirm]").click()

    status = browser.wait_for(
        lambda: (
            "Started addition" in text(browser, "#board-status") and text(browser, "#board-status")
        ),
        "the trigger's answer",
    )
    assert "recorded as addition-manual-" in status
    name = status.split("recorded as ")[1].split(".")[0]
    run_row = f'#latest-runs tr[data-name="{name}"]'
    browser.wait_for(
        lambda: browser.find_all(run_row) and text(browser, f"{run_row} .badge") == "succeeded",
        "the run to appear and succeed",
        timeout=90,
    )
    assert browser.script("return window.notReloaded") is True
    assert "manual" in text(browser, run_row)
    browser.screenshot("dashboard-after-run-now")


def test_the_board_refreshes_by_itself_without_reloading(browser):
    operator()

    browser.log_in("olga", "a-long-password", then="/admin/scheduler/")
    browser.wait_for(lambda: browser.find_all("#entries"), "the dashboard")
    browser.script("window.notReloaded = true")
    make_run("daily-report", HOUR, "failed", job="daily-report", error="SMTP refused")

    # It should show the new failure at the next refresh (every 30 s), in place.
    browser.wait_for(
        lambda: "SMTP refused" in text(browser, 'tr[data-entry="daily-report"]'),
        "the board's next refresh",
        timeout=45,
    )
    assert browser.script("return window.notReloaded") is True


def test_a_failed_runs_page_shows_its_error_and_traceback(browser):
    operator()
    failed = failing_statistics()

    browser.log_in("olga", "a-long-password", then=f"/admin/runs/jobrun/{failed.pk}/change/")

    assert ERROR in text(browser, ".run-error")
    assert "psycopg.OperationalError" in text(browser, "pre.traceback")
    assert "Exit code\n1 failed" in text(browser, ".run-facts")
    browser.screenshot("failed-run")


def test_the_run_list_shows_the_error_without_scrolling_at_1400_px(browser):
    operator()
    failing_statistics()

    browser.log_in("olga", "a-long-password", then="/admin/runs/jobrun/")

    cell = browser.find("#result_list td.field-error_summary .error")
    right = browser.script("return arguments[0].getBoundingClientRect().right", cell)
    assert ERROR in cell.text
    assert right <= browser.script("return window.innerWidth")
    assert browser.script("return document.documentElement.scrollWidth") <= 1400
    browser.screenshot("run-list")


def test_the_pages_are_styled_with_debug_off(browser):
    operator()

    browser.open("/admin/login/")
    header = browser.find("#header")

    # It should have loaded the admin's stylesheet: the header has its colour, not the default.
    assert header.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "")
    sheets = browser.script("return [...document.styleSheets].map(s => s.href)")
    assert any("/static/admin/css/base." in (href or "") for href in sheets)


def test_who_is_not_logged_in_gets_a_staff_only_page_with_a_way_to_log_in(browser):
    operator()

    browser.open("/admin/scheduler/")
    browser.screenshot("staff-only")

    # It should say why, in the admin's style, and lead to the login, then back to the page.
    assert text(browser, "h1") == "Staff only" and "not logged in" in text(browser, "#content")
    assert browser.find("#header").value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    browser.find("#content-main a").click()
    browser.find("#id_username").send_keys("olga")
    browser.find("#id_password").send_keys("a-long-password")
    browser.find("input[type=submit]").click()
    browser.wait_for(lambda: browser.find_all("#entries"), "the dashboard after logging in")


def test_the_board_says_the_session_ended_instead_of_showing_the_403_page(browser):
    operator()
    browser.log_in("olga", "a-long-password", then="/admin/scheduler/")
    browser.wait_for(lambda: browser.find_all("#entries"), "the dashboard")

    browser.driver.delete_cookie("sessionid")  # logged out, as when the session expires

    # At the next refresh (every 30 s) it should say so, with a link to log in again...
    status = browser.wait_for(
        lambda: (
            "session has ended" in text(browser, "#board-status") and browser.find("#board-status")
        ),
        "the board's next refresh",
        timeout=45,
    )
    link = status.find_element("css selector", "a")
    assert link.get_attribute("href").endswith("/admin/login/?next=/admin/scheduler/")
    # ...and keep the board it had, never the refusal's page inside it.
    assert browser.find_all("#board #entries") and not browser.find_all("#board h1")
    browser.screenshot("dashboard-session-ended")
