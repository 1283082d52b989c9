"""`python -m jobs status`: every entry of the release from its CronJob, with the last finished
run from JobRun and the next run; on one machine, the same from the chart's values."""

import json
from datetime import timedelta

import pytest

from jobs import entries
from tests.support.operations import CRONJOBS, call, in_thread
from tests.support.runs import make_run

pytestmark = pytest.mark.django_db(transaction=True)


def chart_entry_names() -> list[str]:
    return [entry.name for entry in entries.load()]


@pytest.mark.asyncio
async def test_it_shows_every_cronjob_of_the_release_with_its_last_run(cluster):
    cluster.patch(
        CRONJOBS,
        "cronsuite-statistics",
        {
            "status": {
                "lastScheduleTime": "2026-12-02T06:00:00Z",
                "lastSuccessfulTime": "2026-12-01T18:00:05Z",
                "active": [{"kind": "Job", "name": "cronsuite-statistics-29412360"}],
            }
        },
    )
    await in_thread(
        make_run, "statistics", timedelta(hours=1), "failed", job="housekeeping", error="db gone"
    )

    answer = await cluster.cli("status", "--json")

    assert answer.code == 0, answer.err
    report = json.loads(answer.out)
    by_entry = {e["entry"]: e for e in report["entries"]}
    # It should find exactly the chart's entries, by their labels.
    assert sorted(by_entry) == chart_entry_names()
    statistics = by_entry["statistics"]
    assert (statistics["job"], statistics["args"]) == ("housekeeping", ["--task", "stats"])
    assert (statistics["schedule"], statistics["time_zone"]) == ("0 */6 * * *", "UTC")
    assert statistics["suspended"] is False and statistics["values_suspended"] is False
    # It should carry the CronJob controller's times and active Jobs...
    assert statistics["last_schedule"] == "2026-12-02T06:00:00+00:00"
    assert statistics["last_success"] == "2026-12-01T18:00:05+00:00"
    assert statistics["active"] == ["cronsuite-statistics-29412360"]
    # ...and the last finished run from the history, with its error.
    assert statistics["last_run"]["status"] == "failed"
    assert statistics["last_run"]["exit_code"] == 1
    assert statistics["last_run"]["error"] == "db gone"
    assert statistics["next_run"] is not None
    assert report["where"].startswith("in namespace jobs on http://127.0.0.1:")


@pytest.mark.asyncio
async def test_it_reads_at_80_columns_and_says_what_differs_from_the_values(cluster):
    cluster.patch(CRONJOBS, "cronsuite-statistics", {"spec": {"suspend": True}})
    await in_thread(
        make_run, "statistics", timedelta(hours=1), "failed", job="housekeeping", error="x" * 400
    )

    answer = await cluster.cli("status")

    assert answer.code == 0, answer.err
    lines = answer.out.splitlines()
    # It should fit a terminal of 80 columns, even with a long error.
    assert max(len(line) for line in lines) <= 80, answer.out
    block = lines[lines.index("statistics  [suspended; the chart's values say active]") :]
    assert block[1].split() == ["runs:", "housekeeping", "--task", "stats"]
    assert (
        block[3].startswith("    last run:       failed ") and ", exit 1 (scheduled): x" in block[3]
    )
    assert "    next:           none, suspended" in block


@pytest.mark.asyncio
async def test_it_shows_only_the_release_asked_for(cluster, kmock):
    other = cluster.get(CRONJOBS, "cronsuite-statistics")
    other = json.loads(json.dumps(other))
    other["metadata"]["name"] = "staging-statistics"
    other["metadata"]["labels"]["app.kubernetes.io/instance"] = "staging"
    del other["metadata"]["uid"]
    cluster.load(CRONJOBS, other)

    both = json.loads((await cluster.cli("status", "--json")).out)
    one = json.loads((await cluster.cli("status", "--json", "--release", "staging")).out)

    # It should show both releases' entries, each with its release...
    assert [e["release"] for e in both["entries"] if e["entry"] == "statistics"] == [
        "cronsuite",
        "staging",
    ]
    # ...or, asked for one release, only its CronJobs.
    assert [(e["entry"], e["cronjob"]) for e in one["entries"]] == [
        ("statistics", "staging-statistics")
    ]


def test_without_a_cluster_it_shows_the_values_runs_and_local_suspensions(tmp_path):
    make_run("statistics", timedelta(minutes=30), "succeeded", job="housekeeping")
    make_run("statistics", timedelta(minutes=10), "running", job="housekeeping")
    assert call("suspend", "daily-report", "--local", "--reason", "holidays").code == 0

    answer = call("status", "--local", "--json")

    assert answer.code == 0, answer.err
    report = json.loads(answer.out)
    by_entry = {e["entry"]: e for e in report["entries"]}
    # It should list the chart's entries, as the local scheduler runs them.
    assert sorted(by_entry) == chart_entry_names()
    assert report["where"] == "on this machine (no Kubernetes configuration found)"
    # It should show the last finished run, the one still running...
    assert by_entry["statistics"]["last_run"]["status"] == "succeeded"
    assert len(by_entry["statistics"]["active"]) == 1
    # ...and a local suspension, with who and why, as differing from the values.
    daily = by_entry["daily-report"]
    assert daily["suspended"] is True and daily["values_suspended"] is False
    assert daily["change"]["action"] == "suspended"
    assert daily["change"]["reason"] == "holidays"
    assert daily["next_run"] is None


@pytest.mark.asyncio
async def test_a_namespace_without_the_charts_cronjobs_says_where_to_look(cluster):
    answer = await cluster.cli("status", "--namespace", "elsewhere")

    assert answer.code == 0, answer.err
    lines = answer.out.splitlines()
    assert lines[0].startswith("Schedule entries in namespace elsewhere on http://127.0.0.1:")
    assert lines[1] == "    none"
    assert "is the release in another namespace (--namespace NS)" in " ".join(answer.out.split())
