"""`helm test` (`python -m jobs check` in the chart's test pod) warns about the release's entries
whose runs a DST change moves: the release's, given to the pod by the chart, not the image's."""

import pytest

from tests.support.chart import render
from tests.support.processes import run_job


def check_pod_schedules(sets: list[str]) -> str:
    objects = render(sets=sets, show_only="templates/tests/check-pod.yaml")
    (container,) = objects[0]["spec"]["containers"]
    (variable,) = [v for v in container["env"] if v["name"] == "CRONSUITE_CHART_SCHEDULES"]
    return variable["value"]


def dst_warnings(output: str) -> list[str]:
    """Each warning whole, its lines (wrapped at 80 columns) joined again."""
    found = []
    for line in output.splitlines():
        if line.startswith("DST warning"):
            found.append(line)
        elif found and line.startswith(" "):
            found[-1] += " " + line.strip()
    return found


@pytest.mark.django_db(transaction=True)
def test_helm_test_warns_about_an_override_entry_a_dst_change_moves():
    # An entry only the release has, at a time Paris skips each March and repeats each October;
    # another in the same hour but suspended, which runs at no time.
    schedules = check_pod_schedules(
        [
            "jobs.paris-export.job=addition",
            "jobs.paris-export.schedule=30 2 * * *",
            "jobs.paris-export.timeZone=Europe/Paris",
            "jobs.paused.job=addition",
            "jobs.paused.schedule=30 2 * * *",
            "jobs.paused.timeZone=Europe/Paris",
            "jobs.paused.suspend=true",
        ]
    )

    result = run_job("check", CRONSUITE_CHART_SCHEDULES=schedules)

    warnings = dst_warnings(result.stdout)
    # It should warn twice about the override entry, saying what happens each time...
    assert len(warnings) == 2, result.stdout
    assert all("jobs.paris-export: the 02:30 run of" in w for w in warnings)
    assert "Europe/Paris skips: it runs at 03:00 instead" in warnings[0]
    assert "Europe/Paris repeats: it runs once, the first time" in warnings[1]
    # ...within 80 columns, and it should stay a warning: the checks alone decide the exit code.
    lines = result.stdout.splitlines()
    said = lines[next(i for i, line in enumerate(lines) if line.startswith("DST warning")) :]
    assert all(len(line) <= 80 for line in said)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_test_pod_is_given_the_release_schedules_not_its_secrets():
    schedules = check_pod_schedules(
        [
            "secret.values.SECRET_KEY=hunter2-hunter2",
            "defaults.env[0].name=API_KEY",
            "defaults.env[0].value=sesame-sesame",
            "suspendAll=true",
        ]
    )

    # It should carry the schedule fields and nothing else of the values.
    assert "hunter2" not in schedules and "sesame" not in schedules
    assert '"suspendAll":true' in schedules
