"""The dashboard and the run list cost the same queries with 10 runs as with 10,000: nothing on
those pages grows with the history (bench/web.py times them at 1,000,000)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import entries
from jobs.models import JobRun
from jobs.runtime.vocabulary import Status
from tests.support.web import log_in

# On one machine the dashboard runs on SQLite (make web), or MariaDB: every database.
pytestmark = [pytest.mark.django_db, pytest.mark.core]
PAGES = ["/admin/scheduler/", "/admin/scheduler/board/", "/admin/runs/jobrun/"]


def add_runs(count: int) -> None:
    """`count` runs spread over the chart's entries, a failure every seventh, a skip every 11th."""
    names = [entry.name for entry in entries.load()]
    now = timezone.now()
    JobRun.objects.bulk_create(
        JobRun(
            job="housekeeping",
            entry=names[n % len(names)],
            trigger="scheduled",
            started_at=now - timedelta(minutes=n),
            finished_at=now - timedelta(minutes=n) + timedelta(seconds=2),
            status=Status.FAILED if n % 7 == 0 else Status.SKIPPED if n % 11 == 0 else "succeeded",
            exit_code=1 if n % 7 == 0 else 0,
            error="db gone" if n % 7 == 0 else "",
        )
        for n in range(count)
    )


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("url", PAGES)
def test_the_page_makes_the_same_queries_with_10_and_with_10000_runs(client, url):
    log_in(client, "runs.view_jobrun", "runs.run_now")
    add_runs(10)
    with_10 = queries(client, url)

    add_runs(9_990)
    with_10000 = queries(client, url)

    # It should not make one more query per run, nor per page of runs.
    assert len(with_10000) == len(with_10), "\n".join(with_10000)
    assert len(with_10) <= 9, "\n".join(with_10)


def test_the_dashboard_asks_for_every_entrys_runs_in_one_query(client, django_assert_num_queries):
    log_in(client, "runs.view_jobrun")
    add_runs(100)
    client.get("/admin/scheduler/board/")  # the session and permissions, cached after this

    # The session, the user, their permissions (user's, groups'), every entry's runs, the
    # latest runs, the statistics; on this machine the suspensions and the local scheduler's
    # last fires.
    with django_assert_num_queries(9):
        client.get("/admin/scheduler/board/")
