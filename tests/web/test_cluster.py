"""The dashboard in a cluster: the live CronJobs are the truth (the Kubernetes API emulator holds
the chart's CronJobs as helm renders them), where they drift from the chart's values is said,
and Run now creates the Job from the live CronJob, override-only entries included."""

import copy
import json
import re
from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from k8s.suspension import patch as suspension_patch
from tests.support.chart import NAMESPACE
from tests.support.operations import CRONJOBS, JOBS, emulate, in_thread, rendered_cronjobs
from tests.support.processes import free_port
from tests.support.web import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
ALL_BUT_HEALTH_CHECK = [n for n in rendered_cronjobs() if n != "cronsuite-health-check"]


@pytest.fixture
def in_cluster(settings, monkeypatch):
    settings.CRONSUITE_CRONJOB_PREFIX = "cronsuite-"
    settings.CRONSUITE_NAMESPACE = NAMESPACE

    def pointing_at(kubeconfig):
        # What KUBECONFIG names, read by the kubernetes client when it is first imported.
        monkeypatch.setattr(
            "kubernetes.config.kube_config.KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig)
        )

    return pointing_at


@pytest.fixture
def cluster(kmock, tmp_path, in_cluster):
    emulated = emulate(kmock, tmp_path, names=ALL_BUT_HEALTH_CHECK)
    in_cluster(emulated.kubeconfig)
    # An override added an entry the chart's values do not have...
    extra = copy.deepcopy(emulated.get(CRONJOBS, "cronsuite-statistics"))
    extra["metadata"] = {
        "name": "cronsuite-nightly-export",
        "labels": {**extra["metadata"]["labels"], "cronsuite.io/entry": "nightly-export"},
    }
    extra["spec"]["schedule"] = "15 1 * * *"
    emulated.load(CRONJOBS, extra)
    # ...moved one, and someone suspended another through cronsuite.
    emulated.patch(CRONJOBS, "cronsuite-housekeeping", {"spec": {"schedule": "30 3 * * *"}})
    stopped = suspension_patch(True, "ops@laptop", "disk full", datetime(2026, 12, 1, tzinfo=UTC))
    emulated.patch(CRONJOBS, "cronsuite-daily-report", stopped)
    return emulated


def row(html: str, entry: str) -> str:
    return re.search(rf'<tr data-entry="{entry}".*?</tr>', html, re.S)[0]


def page_of(client: Client, url: str) -> str:
    return client.get(url).content.decode()


async def test_it_shows_the_live_cronjobs_and_where_they_drift_from_the_values(cluster, client):
    await in_thread(log_in, client, "runs.view_jobrun")

    html = await in_thread(page_of, client, "/admin/scheduler/")

    assert f"from the CronJobs in namespace {NAMESPACE} on http://127.0.0.1:" in html
    # It should show the entry only the cluster has, saying so...
    export = row(html, "nightly-export")
    assert "not in the chart&#x27;s values (added by an override)" in export
    assert "At 01:15 every day (UTC)" in export
    # ...the schedule the cluster runs, not the values' one...
    housekeeping = row(html, "housekeeping")
    assert "<code>30 3 * * *</code>" in housekeeping
    assert "Drift: schedule 30 3 * * *, the values say 0 2 * * *" in housekeeping
    # ...a suspension made in the cluster, with who and why...
    daily = row(html, "daily-report")
    assert ">paused<" in daily and "suspended by ops@laptop: disk full" in daily
    # ...and an entry of the values with no CronJob.
    assert "in the chart&#x27;s values, but no CronJob in the cluster" in row(html, "health-check")


async def test_run_now_on_an_override_only_entry_creates_its_job(cluster, client):
    olga = await in_thread(log_in, client, "runs.view_jobrun", "runs.run_now")

    answer = await in_thread(
        client.post,
        "/api/admin/scheduler/trigger",
        json.dumps({"entry": "nightly-export"}),
        content_type="application/json",
    )

    assert answer.status_code == 202, answer.content
    name = answer.json()["run"]
    assert name.startswith("cronsuite-nightly-export-manual-")
    job = cluster.get(JOBS, name)
    # It should be the live CronJob's Job, as kubectl create job --from makes it.
    assert job["metadata"]["ownerReferences"][0]["name"] == "cronsuite-nightly-export"
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    # It should tell the run who pressed it, and log the press in the admin's log.
    env = job["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "CRONSUITE_STARTED_BY", "value": olga.get_username()} in env
    logged = await in_thread(lambda: LogEntry.objects.select_related("user").get())
    assert (logged.user, logged.object_repr) == (olga, name)
    assert "as Job " + name in answer.json()["started"]


async def test_without_the_api_server_it_shows_the_values_and_says_why(
    kmock, tmp_path, in_cluster, client
):
    cluster = emulate(kmock, tmp_path, names=[])
    dead = tmp_path / "dead-kubeconfig"
    dead.write_text(cluster.kubeconfig.read_text().replace(str(kmock.url.port), str(free_port())))
    in_cluster(dead)
    await in_thread(log_in, client, "runs.view_jobrun")

    html = await in_thread(page_of, client, "/admin/scheduler/")

    assert "The live CronJobs cannot be read, so the chart&#x27;s values are shown:" in html
    assert "cannot reach the Kubernetes API server" in html
    assert 'data-entry="housekeeping"' in html


async def test_with_values_it_cannot_read_it_still_shows_the_live_cronjobs(
    cluster, client, tmp_path, settings
):
    broken = tmp_path / "values.yaml"
    broken.write_text("jobs: [unclosed\n")
    # The app is given this override file (a typo in it): the chart's values cannot load.
    settings.CRONSUITE_VALUES = [str(broken)]
    await in_thread(log_in, client, "runs.view_jobrun")

    html = await in_thread(page_of, client, "/admin/scheduler/")

    assert "The chart&#x27;s values cannot be read, so no drift is shown:" in html
    assert "<code>30 3 * * *</code>" in row(html, "housekeeping")
    assert "Drift:" not in html
