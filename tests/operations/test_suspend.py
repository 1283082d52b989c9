"""`python -m jobs suspend ENTRY` and `resume ENTRY`: the CronJob's spec.suspend with who, when
and why beside it (read back with the real kubectl), an audit record for the admin; and, on one
machine, the flag the local scheduler reads."""

import json

import pytest

from jobs import suspensions
from jobs.models import SuspensionRecord
from tests.support.operations import call, in_thread

pytestmark = pytest.mark.django_db(transaction=True)


async def read_back(cluster, name: str) -> dict:
    return json.loads(await cluster.kubectl("get", "cronjob", name, "-o", "json"))


@pytest.mark.asyncio
async def test_suspend_patches_the_cronjob_and_says_who_when_and_why(cluster, kmock):
    answer = await cluster.cli(
        "suspend", "statistics", "--reason", "database migration", "--by", "olga"
    )

    assert answer.code == 0, answer.err
    cronjob = await read_back(cluster, "cronsuite-statistics")
    annotations = cronjob["metadata"]["annotations"]
    # It should suspend the CronJob, and say so where kubectl shows it.
    assert cronjob["spec"]["suspend"] is True
    assert annotations["cronsuite.io/suspension"] == "suspended"
    assert annotations["cronsuite.io/suspension-by"] == "olga"
    assert annotations["cronsuite.io/suspension-reason"] == "database migration"
    assert annotations["cronsuite.io/suspension-at"].endswith("Z")
    # It should patch under its own field manager, so Helm's apply sees who owns spec.suspend.
    (patch,) = [r for r in kmock if r.method == "PATCH"]
    assert patch.params["fieldManager"] == "cronsuite"
    assert patch.headers["Content-Type"] == "application/merge-patch+json"
    # It should leave an audit record for the admin, and warn about helm upgrade.
    record = await in_thread(SuspensionRecord.objects.get)
    assert (record.entry, record.suspended, record.changed_by) == ("statistics", True, "olga")
    assert (record.reason, record.location) == ("database migration", "jobs/cronsuite-statistics")
    assert "Suspended statistics: CronJob cronsuite-statistics in namespace jobs" in answer.out
    assert "helm upgrade sets spec.suspend back" in answer.out
    assert max(len(line) for line in answer.out.splitlines()) <= 80


@pytest.mark.asyncio
async def test_resume_unsuspends_and_drops_the_old_reason(cluster):
    await cluster.cli("suspend", "statistics", "--reason", "database migration", "--by", "olga")

    answer = await cluster.cli("resume", "statistics", "--by", "ivan")

    assert answer.code == 0, answer.err
    cronjob = await read_back(cluster, "cronsuite-statistics")
    annotations = cronjob["metadata"]["annotations"]
    assert cronjob["spec"]["suspend"] is False
    assert annotations["cronsuite.io/suspension"] == "resumed"
    assert annotations["cronsuite.io/suspension-by"] == "ivan"
    # It should not leave the suspension's reason behind to mislead the next reader.
    assert "cronsuite.io/suspension-reason" not in annotations
    records = await in_thread(lambda: list(SuspensionRecord.objects.values_list("suspended")))
    assert records == [(False,), (True,)]


@pytest.mark.asyncio
async def test_status_shows_who_suspended_an_entry(cluster):
    await cluster.cli("suspend", "statistics", "--reason", "database migration", "--by", "olga")

    answer = await cluster.cli("status")

    lines = answer.out.splitlines()
    block = lines[lines.index("statistics  [suspended; the chart's values say active]") :]
    assert block[3].startswith("    suspended:      by olga, 20")
    assert block[3].endswith(": database migration")


@pytest.mark.asyncio
async def test_suspending_a_suspended_cronjob_changes_nothing(cluster, kmock):
    answer = await cluster.cli("suspend", "addition")  # the chart's values suspend it

    assert answer.code == 0, answer.err
    assert "CronJob cronsuite-addition is already suspended: nothing changed." in answer.out
    assert not [r for r in kmock if r.method == "PATCH"]


def test_on_one_machine_suspend_is_a_flag_the_scheduler_reads():
    suspended = call("suspend", "daily-report", "--local", "--reason", "holidays", "--by", "olga")

    # It should hold the entry for the local scheduler, without a restart...
    assert suspended.code == 0, suspended.err
    assert suspensions.is_suspended("daily-report")
    assert "the local scheduler skips it from its next time on" in " ".join(suspended.out.split())

    resumed = call("resume", "daily-report", "--local", "--by", "ivan")

    # ...and release it on resume, each change recorded.
    assert resumed.code == 0, resumed.err
    assert not suspensions.is_suspended("daily-report")
    changes = SuspensionRecord.objects.values_list("suspended", "changed_by", "location")
    assert list(changes) == [(False, "ivan", ""), (True, "olga", "")]


def test_on_one_machine_resume_cannot_override_the_values():
    answer = call("resume", "addition", "--local")

    assert answer.code == 2
    assert "addition is suspended by the chart's values" in answer.err
    assert not SuspensionRecord.objects.exists()
