"""helm lint --strict, helm template and strict Kubernetes schemas, for the defaults and every ci/ file."""

import kubernetes_validate
import pytest

from tests.support.chart import (
    CHART,
    CI_VALUES,
    RELEASE,
    ci_id,
    container,
    cronjobs,
    helm,
    render,
    values_args,
)

KUBERNETES_VERSIONS = ["1.31.0", "1.32.0", "1.33.0", "1.34.0", "1.35.0"]
VALUES = [None, *CI_VALUES]
# Objects of CRDs (the Prometheus Operator's) have no schema in kubernetes-validate.
CUSTOM_KINDS = {"PrometheusRule"}


@pytest.mark.parametrize("values", VALUES, ids=ci_id)
def test_it_lints_strictly(values):
    files = [values] if values else []
    result = helm("lint", "--strict", str(CHART), *values_args(files))
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", VALUES, ids=ci_id)
def test_every_object_validates_strictly(values, version):
    objects = render([values] if values else [])
    assert objects
    for obj in objects:
        if obj["kind"] in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(obj, version, strict=True)


def test_it_renders_one_cronjob_per_enabled_entry(default_objects):
    assert sorted(cronjobs(default_objects)) == [
        f"{RELEASE}-{entry}"
        for entry in [
            "addition",
            "cleanup-logs",
            "daily-report",
            "health-check",
            "housekeeping",
            "statistics",
            "sync-external-data",
            "sync-timetable",
            "weekly-conversation-cleanup",
        ]
    ]


def env_of(cronjob: dict) -> dict:
    return {e["name"]: e for e in container(cronjob)["env"]}


def test_entries_carry_the_seed_schedules_retries_and_per_attempt_timeouts(default_objects):
    found = {
        name.removeprefix(f"{RELEASE}-"): (
            c["spec"]["schedule"],
            c["spec"]["suspend"],
            c["spec"]["jobTemplate"]["spec"]["backoffLimit"],
            int(env_of(c)["JOB_TIMEOUT"]["value"]),
            container(c)["args"],
        )
        for name, c in cronjobs(default_objects).items()
    }
    # Seed 002's max_retries and timeout; its timeout is per attempt, as JOB_TIMEOUT is.
    assert found == {
        "housekeeping": ("0 2 * * *", False, 3, 3600, ["run", "housekeeping"]),
        "weekly-conversation-cleanup": (
            "0 3 * * 0",
            False,
            3,
            3600,
            ["run", "housekeeping", "--task", "conversations"],
        ),
        "statistics": ("0 */6 * * *", False, 3, 3600, ["run", "housekeeping", "--task", "stats"]),
        "sync-timetable": ("0 2 * * *", False, 3, 300, ["run", "sync-timetable"]),
        "cleanup-logs": ("0 0 * * *", False, 3, 300, ["run", "cleanup-logs"]),
        "daily-report": ("0 9 * * *", False, 2, 600, ["run", "daily-report"]),
        "sync-external-data": ("0 * * * *", True, 3, 1800, ["run", "sync-external-data"]),
        "health-check": ("*/5 * * * *", False, 1, 30, ["run", "health-check"]),
        "addition": ("* * * * *", True, 0, 50, ["run", "addition", "--x", "10", "--y", "20"]),
    }


def retry_backoff(retries: int) -> int:
    """Seconds the Job controller waits before the retries together: 10 s, doubling, at most 6 min each."""
    return sum(min(10 * 2**i, 360) for i in range(retries))


def test_the_retry_backoff_is_kubernetes_schedule():
    assert [retry_backoff(n) for n in range(8)] == [0, 10, 30, 70, 150, 310, 630, 990]


def test_the_job_deadline_leaves_every_attempt_its_full_timeout(default_objects):
    # activeDeadlineSeconds bounds the whole Job: every attempt with its pod's start, and the backoff
    # between them. The container gets it too (CRONSUITE_JOB_DEADLINE), for the alerts' grace.
    deadlines = {}
    for name, cronjob in cronjobs(default_objects).items():
        job_spec = cronjob["spec"]["jobTemplate"]["spec"]
        timeout = int(env_of(cronjob)["JOB_TIMEOUT"]["value"])
        attempts = job_spec["backoffLimit"] + 1
        deadline = job_spec["activeDeadlineSeconds"]
        assert deadline == (timeout + 60) * attempts + retry_backoff(attempts - 1), name
        assert env_of(cronjob)["CRONSUITE_JOB_DEADLINE"] == {
            "name": "CRONSUITE_JOB_DEADLINE",
            "value": str(deadline),
        }, name
        deadlines[name.removeprefix(f"{RELEASE}-")] = deadline
    assert deadlines == {
        "housekeeping": 14710,
        "weekly-conversation-cleanup": 14710,
        "statistics": 14710,
        "sync-timetable": 1510,
        "cleanup-logs": 1510,
        "daily-report": 2010,
        "sync-external-data": 7510,
        "health-check": 190,
        "addition": 110,
    }


def test_an_explicit_deadline_wins_when_one_attempt_fits():
    objects = render(sets=["jobs.daily-report.activeDeadlineSeconds=700"])
    daily = cronjobs(objects)[f"{RELEASE}-daily-report"]
    assert daily["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 700
    assert env_of(daily)["JOB_TIMEOUT"]["value"] == "600"
    assert env_of(daily)["CRONSUITE_JOB_DEADLINE"]["value"] == "700"


def test_null_in_an_entry_derives_the_deadline_again():
    objects = render(
        sets=["defaults.activeDeadlineSeconds=7200", "jobs.health-check.activeDeadlineSeconds=null"]
    )
    found = {
        n: c["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]
        for n, c in cronjobs(objects).items()
    }
    assert found[f"{RELEASE}-housekeeping"] == 7200
    assert found[f"{RELEASE}-health-check"] == 190


def test_an_explicit_deadline_shorter_than_one_attempt_fails_with_the_numbers():
    result = helm(
        "template",
        RELEASE,
        str(CHART),
        "--set",
        "jobs.daily-report.activeDeadlineSeconds=600",
        check=False,
    )
    assert result.returncode != 0
    assert (
        "jobs.daily-report.activeDeadlineSeconds is 600, shorter than one attempt needs (timeout 600 s + 60 s"
        " to start the pod): set it to at least 660, or remove it to get 2010, enough for all 3 attempts."
    ) in result.stderr


def test_every_cronjob_has_the_runtime_contract(default_objects):
    for name, cronjob in cronjobs(default_objects).items():
        spec = cronjob["spec"]
        job_spec = spec["jobTemplate"]["spec"]
        pod = job_spec["template"]["spec"]
        assert spec["timeZone"] == "UTC"
        assert spec["concurrencyPolicy"] == "Forbid"
        assert spec["startingDeadlineSeconds"] >= 10
        assert job_spec["ttlSecondsAfterFinished"] == 86400
        assert pod["restartPolicy"] == "Never"
        rules = job_spec["podFailurePolicy"]["rules"]
        assert {
            "action": "FailJob",
            "onExitCodes": {"containerName": "job", "operator": "In", "values": [2]},
        } in rules
        assert {
            "action": "Ignore",
            "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
        } in rules
        env = env_of(cronjob)
        assert 1 <= int(env["JOB_TIMEOUT"]["value"]) <= job_spec["activeDeadlineSeconds"] - 60
        assert env["CRONSUITE_CRONJOB"]["value"] == name
        assert env["CRONSUITE_SCHEDULE"]["value"] == spec["schedule"]
        assert (
            env["CRONSUITE_K8S_JOB"]["valueFrom"]["fieldRef"]["fieldPath"]
            == "metadata.labels['batch.kubernetes.io/job-name']"
        )
        assert (
            env["CRONSUITE_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
        )
        assert env["CRONSUITE_POD"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"


def test_pods_run_restricted(default_objects):
    for cronjob in cronjobs(default_objects).values():
        pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        c = container(cronjob)
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
        assert "resources" not in c


def test_labels_name_the_entry_on_cronjob_job_and_pod(default_objects):
    for name, cronjob in cronjobs(default_objects).items():
        entry = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"][
            0
        ]["value"]
        job = container(cronjob)["args"][1]
        for labels in (
            cronjob["metadata"]["labels"],
            cronjob["spec"]["jobTemplate"]["metadata"]["labels"],
            cronjob["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
        ):
            assert labels["cronsuite.io/entry"] == entry == name.removeprefix(f"{RELEASE}-")
            assert labels["cronsuite.io/job"] == job
            assert labels["app.kubernetes.io/component"] == "job"
            assert labels["app.kubernetes.io/instance"] == RELEASE
            assert labels["app.kubernetes.io/name"] == "cronsuite"
            assert "helm.sh/chart" in labels and "app.kubernetes.io/version" in labels


def test_the_cronjob_the_migration_hook_and_the_test_pod_share_one_pod_spec(default_objects):
    by_kind = {o["kind"]: o for o in default_objects if o["kind"] in ("Job", "Pod")}
    hook = by_kind["Job"]["spec"]["template"]["spec"]
    test_pod = by_kind["Pod"]["spec"]
    cronjob = cronjobs(default_objects)[f"{RELEASE}-housekeeping"]["spec"]["jobTemplate"]["spec"][
        "template"
    ]["spec"]
    assert hook["containers"][0]["command"] == ["python"]
    assert hook["containers"][0]["args"] == ["manage.py", "migrate", "--noinput"]
    assert by_kind["Job"]["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert test_pod["containers"][0]["args"] == ["check"]
    assert by_kind["Pod"]["metadata"]["annotations"]["helm.sh/hook"] == "test"
    for spec in (hook, test_pod):
        assert spec["securityContext"] == cronjob["securityContext"]
        assert (
            spec["containers"][0]["securityContext"] == cronjob["containers"][0]["securityContext"]
        )
        assert spec["volumes"] == cronjob["volumes"]
        assert spec["restartPolicy"] == "Never"


def test_suspend_all_suspends_every_cronjob():
    objects = render([CHART / "ci" / "suspend-all-values.yaml"])
    assert all(c["spec"]["suspend"] for c in cronjobs(objects).values())


def test_existing_secret_replaces_the_chart_secret():
    objects = render([CHART / "ci" / "existing-secret-values.yaml"])
    assert not [o for o in objects if o["kind"] == "Secret"]
    for cronjob in cronjobs(objects).values():
        assert {"secretRef": {"name": "cronsuite-settings"}} in container(cronjob)["envFrom"]


def test_an_entry_overrides_defaults_deeply():
    objects = render([CHART / "ci" / "scheduling-values.yaml"])
    housekeeping = container(cronjobs(objects)[f"{RELEASE}-housekeeping"])
    statistics = container(cronjobs(objects)[f"{RELEASE}-statistics"])
    assert housekeeping["resources"] == {
        "requests": {"cpu": "50m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "1Gi"},
    }
    assert statistics["resources"]["limits"] == {"cpu": "500m", "memory": "512Mi"}


def test_false_in_an_entry_beats_true_in_defaults():
    # sprig's mergeOverwrite would keep the default here: it skips "empty" values like false.
    objects = render(sets=["defaults.suspend=true", "jobs.housekeeping.suspend=false"])
    found = {n: c["spec"]["suspend"] for n, c in cronjobs(objects).items()}
    assert found[f"{RELEASE}-housekeeping"] is False
    assert found[f"{RELEASE}-statistics"] is True


def test_a_too_long_cronjob_name_fails_with_the_limit():
    result = helm(
        "template", "a" * 30, str(CHART), "--set", f"jobs.{'b' * 25}.schedule=@daily", check=False
    )
    assert result.returncode != 0
    assert "52" in result.stderr and "b" * 25 in result.stderr
