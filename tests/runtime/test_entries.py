"""jobs/entries.py reads the chart's values as helm renders them."""

import pytest

from jobs.entries import from_values, helm_merge, load_values
from tests.support.chart import CI_VALUES, RELEASE, ci_id, container, cronjobs, render


@pytest.mark.parametrize("values", [None, *CI_VALUES], ids=ci_id)
def test_entries_match_what_helm_renders(values):
    files = [values] if values else []
    rendered = cronjobs(render(files))
    prefix = "shop" if values and values.name == "entries-values.yaml" else RELEASE
    found = {
        f"{prefix}-{e.name}": (e.schedule, e.time_zone, e.suspended, ["run", e.job, *e.args])
        for e in from_values(load_values(*files))
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


def test_a_null_in_an_entry_drops_the_default_as_in_helm(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("jobs:\n  housekeeping:\n    ttlSecondsAfterFinished: null\n")
    rendered = cronjobs(render([values]))
    ours = {
        e.name: e.settings.get("ttlSecondsAfterFinished") for e in from_values(load_values(values))
    }
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
