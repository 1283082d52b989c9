"""The migration hook Job, rendered by the real helm: fails fast on exit 2, runs as the entries do."""

import yaml

from tests.support.chart import CHART, NAMESPACE, RELEASE, cronjobs, helm, render


def hook_job(objects: list[dict]) -> dict:
    (job,) = [
        o for o in objects if o["kind"] == "Job" and o["metadata"]["name"].endswith("-migrate")
    ]
    return job


def upgrade(sets: list[str]) -> list[dict]:
    """`helm template --is-upgrade`: what `helm upgrade` renders, hooks included."""
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE, "--is-upgrade"]
    for item in sets:
        args += ["--set", item]
    return [doc for doc in yaml.safe_load_all(helm(*args).stdout) if doc]


def entry_pod(objects: list[dict]) -> dict:
    cronjob = cronjobs(objects)[f"{RELEASE}-housekeeping"]
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_a_configuration_error_fails_the_hook_at_once_as_it_fails_an_entry(default_objects):
    job = hook_job(default_objects)["spec"]
    entry = cronjobs(default_objects)[f"{RELEASE}-housekeeping"]["spec"]["jobTemplate"]["spec"]

    # It should carry the entries' podFailurePolicy: exit 2 of the `job` container fails the Job.
    assert job["podFailurePolicy"] == entry["podFailurePolicy"]
    (fail, ignore) = job["podFailurePolicy"]["rules"]
    assert fail["action"] == "FailJob"
    assert fail["onExitCodes"] == {"containerName": "job", "operator": "In", "values": [2]}
    assert job["template"]["spec"]["containers"][0]["name"] == "job"
    # It should not count evictions and node drains against backoffLimit.
    assert ignore == {
        "action": "Ignore",
        "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
    }
    # podFailurePolicy requires restartPolicy Never.
    assert job["template"]["spec"]["restartPolicy"] == "Never"


def test_the_hook_runs_under_an_existing_account_the_entries_use():
    objects = render(sets=["serviceAccount.name=database-identity"])

    # It should run the migration with the entries' cloud database identity.
    assert (
        hook_job(objects)["spec"]["template"]["spec"]["serviceAccountName"] == "database-identity"
    )
    assert entry_pod(objects)["serviceAccountName"] == "database-identity"


def test_the_entries_own_account_reaches_the_hook_too():
    objects = render(
        sets=["serviceAccount.create=true", "defaults.serviceAccountName=database-identity"]
    )

    # It should prefer defaults.serviceAccountName, as the entries do.
    assert (
        hook_job(objects)["spec"]["template"]["spec"]["serviceAccountName"] == "database-identity"
    )
    assert entry_pod(objects)["serviceAccountName"] == "database-identity"


def test_the_chart_account_is_used_once_it_exists():
    install = render(sets=["serviceAccount.create=true"])
    later = upgrade(["serviceAccount.create=true"])

    # It should not name the chart's account on a first install: pre-install runs before it exists.
    assert "serviceAccountName" not in hook_job(install)["spec"]["template"]["spec"]
    # It should use it on upgrade, as the entries always do.
    assert hook_job(later)["spec"]["template"]["spec"]["serviceAccountName"] == RELEASE
    assert entry_pod(later)["serviceAccountName"] == RELEASE


def test_without_any_account_the_hook_uses_the_namespace_default(default_objects):
    # It should name no account, like the entries: the namespace's default one.
    assert "serviceAccountName" not in hook_job(default_objects)["spec"]["template"]["spec"]
    assert "serviceAccountName" not in entry_pod(default_objects)
