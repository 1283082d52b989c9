"""jobs/schedule.py reads the chart as helm renders it, and computes times as the cronie-like controller would."""

from datetime import datetime, timezone

import pytest

from jobs.schedule import (
    ScheduleError,
    entries,
    expected_interval_seconds,
    helm_merge,
    load_values,
    next_run,
    next_runs,
)
from tests.chart.conftest import CI_VALUES, RELEASE, ci_id, container, cronjobs, render

UTC = timezone.utc


@pytest.mark.parametrize("values", [None, *CI_VALUES], ids=ci_id)
def test_entries_match_what_helm_renders(values):
    files = [values] if values else []
    rendered = cronjobs(render(files))
    prefix = "shop" if values and values.name == "entries-values.yaml" else RELEASE
    found = {
        f"{prefix}-{e.name}": (e.schedule, e.time_zone, e.suspended, ["run", e.job, *e.args])
        for e in entries(load_values(*files))
    }
    assert found == {
        name: (
            c["spec"]["schedule"],
            c["spec"]["timeZone"],
            c["spec"]["suspend"],
            container(c)["args"],
        )
        for name, c in rendered.items()
    }


def test_helm_merge_merges_maps_replaces_lists_and_deletes_nulls():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": 2}
    assert helm_merge(base, {"a": {"c": [3]}, "d": None, "f": False}) == {
        "a": {"b": 1, "c": [3]},
        "e": 2,
        "f": False,
    }
    assert (
        helm_merge(base, {"g": None})["g"] is None
    )  # Helm keeps a null it has nothing to delete for
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": 2}


def test_next_run_is_strictly_after_now_in_the_entry_time_zone():
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert next_run("0 2 * * *", "UTC", now) == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    berlin = next_run("0 2 * * *", "Europe/Berlin", now)
    assert berlin.utcoffset().total_seconds() == 3600 and (berlin.day, berlin.hour) == (25, 2)


def test_a_time_skipped_by_dst_runs_at_the_next_valid_minute_like_cronie():
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert next_run("30 2 * * *", "Europe/Berlin", now).isoformat() == "2026-03-29T03:00:00+02:00"


@pytest.mark.parametrize(
    "schedule,tz,hours",
    [
        ("*/5 * * * *", "UTC", 5 / 60),
        ("0 */6 * * *", "UTC", 6),
        ("0 3 * * 0", "UTC", 7 * 24),
        ("@hourly", "UTC", 1),
        ("0 9 * * 1-5", "UTC", 72),  # Friday to Monday
        ("0 2 * * *", "Europe/Berlin", 25),  # the night clocks go back
    ],
)
def test_expected_interval_is_the_longest_real_gap(schedule, tz, hours):
    now = datetime(2026, 10, 1, tzinfo=UTC)
    assert expected_interval_seconds(schedule, tz, now) == hours * 3600


def test_it_rejects_what_kubernetes_rejects():
    for schedule, tz in [
        ("0 0 2 * * *", "UTC"),
        ("TZ=UTC 0 2 * * *", "UTC"),
        ("0 2 * * *", "Mars/Olympus"),
    ]:
        with pytest.raises(ScheduleError):
            next_runs(schedule, tz)


def test_a_null_in_an_entry_drops_the_default_as_in_helm(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("jobs:\n  housekeeping:\n    ttlSecondsAfterFinished: null\n")
    rendered = cronjobs(render([values]))
    ours = {e.name: e.settings.get("ttlSecondsAfterFinished") for e in entries(load_values(values))}
    assert ours["housekeeping"] is None
    assert (
        "ttlSecondsAfterFinished"
        not in rendered[f"{RELEASE}-housekeeping"]["spec"]["jobTemplate"]["spec"]
    )
    assert (
        ours["statistics"]
        == rendered[f"{RELEASE}-statistics"]["spec"]["jobTemplate"]["spec"][
            "ttlSecondsAfterFinished"
        ]
    )
