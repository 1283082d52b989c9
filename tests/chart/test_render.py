"""helm lint --strict, helm template and strict Kubernetes schemas, for the defaults and every ci/ file."""

import kubernetes_validate
import pytest
import yaml

from jobs.entries import from_values, load_values
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


def shipped_entries() -> list:
    """The entries values.yaml ships, as `python -m jobs list` reads them."""
    return from_values(load_values())


def test_it_renders_one_cronjob_per_enabled_entry(default_objects):
    assert sorted(cronjobs(default_objects)) == [f"{RELEASE}-{e.name}" for e in shipped_entries()]


def env_of(cronjob: dict) -> dict:
    return {e["name"]: e for e in container(cronjob)["env"]}


def test_entries_carry_their_schedules_retries_and_per_attempt_timeouts(default_objects):
    rendered = cronjobs(default_objects)
    for entry in shipped_entries():
        cronjob = rendered[f"{RELEASE}-{entry.name}"]
        # It should render each entry's own values, defaults filling in what the entry leaves out.
        assert cronjob["spec"]["schedule"] == entry.schedule, entry.name
        assert cronjob["spec"]["suspend"] is entry.suspended, entry.name
        assert (
            cronjob["spec"]["jobTemplate"]["spec"]["backoffLimit"] == entry.settings["backoffLimit"]
        ), entry.name
        # The timeout is per attempt, as JOB_TIMEOUT is.
        assert env_of(cronjob)["JOB_TIMEOUT"]["value"] == str(entry.settings["timeout"]), entry.name
        assert container(cronjob)["args"] == ["run", entry.job, *entry.args], entry.name


def test_a_long_schedule_reaches_the_container_whole(tmp_path):
    # Longer than a line: toYaml folds it, which must stay valid YAML inside the env list.
    schedule = (
        "0,5,10,15,20,25,30,35,40,45,50,55 0,2,4,6,8,10,12,14,16,18,20,22 1,3,5,7,9 * MON-FRI"
    )
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump({"jobs": {"housekeeping": {"schedule": schedule}}}))
    cronjob = cronjobs(render([values]))[f"{RELEASE}-housekeeping"]
    assert cronjob["spec"]["schedule"] == schedule
    assert env_of(cronjob)["CRONSUITE_SCHEDULE"] == {
        "name": "CRONSUITE_SCHEDULE",
        "value": schedule,
    }


def deadlines(objects: list[dict]) -> dict:
    return {
        name.removeprefix(f"{RELEASE}-"): c["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]
        for name, c in cronjobs(objects).items()
    }


# (timeout, backoffLimit) and the Job's deadline, worked out by hand: every attempt gets its
# timeout + 60 s, and Kubernetes waits 10 s before the first retry, doubling up to 6 minutes.
DEADLINES = {
    "one-attempt": (50, 0, 110),  # 110 = (50 + 60) x 1
    "one-retry": (30, 1, 190),  # 190 = (30 + 60) x 2 + 10
    "two-retries": (600, 2, 2010),  # 2010 = 660 x 3 + 10 + 20
    "three-retries": (3600, 3, 14710),  # 14710 = 3660 x 4 + 10 + 20 + 40
    "six-retries": (100, 6, 1750),  # 1750 = 160 x 7 + 10 + 20 + 40 + 80 + 160 + 320
    "eight-retries": (100, 8, 2790),  # 2790 = 160 x 9 + 630 + 360 + 360: a wait stops at 6 min
}


def test_the_job_deadline_leaves_every_attempt_its_full_timeout(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(
        yaml.safe_dump(
            {
                "jobs": {
                    name: {"schedule": "@daily", "timeout": timeout, "backoffLimit": retries}
                    for name, (timeout, retries, _) in DEADLINES.items()
                }
            }
        )
    )
    objects = render([values])
    found = deadlines(objects)
    assert {name: found[name] for name in DEADLINES} == {
        name: deadline for name, (_, _, deadline) in DEADLINES.items()
    }
    # It should hand the container the Job's deadline, for the alerts' grace.
    for name, cronjob in cronjobs(objects).items():
        assert env_of(cronjob)["CRONSUITE_JOB_DEADLINE"] == {
            "name": "CRONSUITE_JOB_DEADLINE",
            "value": str(cronjob["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]),
        }, name


def test_a_shipped_entry_fits_every_attempt_in_its_deadline(default_objects):
    for name, cronjob in cronjobs(default_objects).items():
        job_spec = cronjob["spec"]["jobTemplate"]["spec"]
        timeout = int(env_of(cronjob)["JOB_TIMEOUT"]["value"])
        attempts = job_spec["backoffLimit"] + 1
        assert job_spec["activeDeadlineSeconds"] >= (timeout + 60) * attempts, name


def test_an_explicit_deadline_wins_when_one_attempt_fits():
    objects = render(
        sets=["jobs.daily-report.activeDeadlineSeconds=700", "jobs.daily-report.timeout=600"]
    )
    daily = cronjobs(objects)[f"{RELEASE}-daily-report"]
    assert daily["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 700
    assert env_of(daily)["JOB_TIMEOUT"]["value"] == "600"
    assert env_of(daily)["CRONSUITE_JOB_DEADLINE"]["value"] == "700"


def test_null_in_an_entry_derives_the_deadline_again():
    objects = render(
        sets=[
            "defaults.activeDeadlineSeconds=7200",
            "jobs.health-check.activeDeadlineSeconds=null",
            "jobs.health-check.timeout=30",
            "jobs.health-check.backoffLimit=1",
        ]
    )
    found = deadlines(objects)
    assert found["housekeeping"] == 7200
    # Derived again from its timeout and retries: (30 + 60) x 2 + 10.
    assert found["health-check"] == 190


def test_an_explicit_deadline_shorter_than_one_attempt_fails_with_the_numbers():
    result = helm(
        "template",
        RELEASE,
        str(CHART),
        "--set",
        "jobs.daily-report.activeDeadlineSeconds=600",
        "--set",
        "jobs.daily-report.timeout=600",
        "--set",
        "jobs.daily-report.backoffLimit=2",
        check=False,
    )
    assert result.returncode != 0
    assert (
        "jobs.daily-report.activeDeadlineSeconds is 600, shorter than one attempt needs (timeout 600 s + 60 s"
        " to start the pod): set it to at least 660, or remove it to get 2010, enough for all 3 attempts."
    ) in result.stderr


def test_the_defaults_never_overlap_runs_and_keep_finished_jobs_a_day():
    defaults = load_values()["defaults"]
    assert defaults["concurrencyPolicy"] == "Forbid"
    assert defaults["timeZone"] == "UTC"
    assert defaults["ttlSecondsAfterFinished"] == 86400


def test_every_cronjob_has_the_runtime_contract(default_objects):
    rendered = cronjobs(default_objects)
    for entry in shipped_entries():
        name = f"{RELEASE}-{entry.name}"
        cronjob = rendered[name]
        spec = cronjob["spec"]
        job_spec = spec["jobTemplate"]["spec"]
        pod = job_spec["template"]["spec"]
        assert spec["timeZone"] == entry.time_zone, name
        assert spec["concurrencyPolicy"] == entry.settings["concurrencyPolicy"], name
        assert spec["startingDeadlineSeconds"] >= 10
        assert job_spec.get("ttlSecondsAfterFinished") == entry.settings.get(
            "ttlSecondsAfterFinished"
        ), name
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
        assert env["CRONSUITE_TIMEZONE"]["value"] == spec["timeZone"]
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
    by_kind = {o["kind"]: o for o in default_objects if o["kind"] == "Job"}
    by_kind["Pod"] = next(o for o in default_objects if o["metadata"]["name"] == f"{RELEASE}-check")
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
