"""The chart's optional operator Role: exactly what the operator verbs and Run now call."""

from tests.support.chart import CHART, NAMESPACE, RELEASE, render

OPERATOR = f"{RELEASE}-operator"


def named(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_no_role_unless_asked(default_objects):
    # It should grant nothing by default: the web app runs Run now locally without the API.
    assert not named(default_objects, "Role") and not named(default_objects, "RoleBinding")
    assert OPERATOR not in named(default_objects, "ServiceAccount")


def test_the_role_grants_the_verbs_calls_and_nothing_more():
    objects = render([CHART / "ci" / "operations-rbac-values.yaml"])
    role = named(objects, "Role")[OPERATOR]
    grants = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }

    # It should read CronJobs, Jobs, Pods and logs; create and delete Jobs; patch CronJobs.
    read = {"get", "list", "watch"}
    expected = {("batch", "cronjobs", v) for v in read | {"patch"}}
    expected |= {("batch", "jobs", v) for v in read | {"create", "delete"}}
    expected |= {("", r, v) for r in ("pods", "pods/log") for v in read}
    assert grants == expected
    # It should bind the operator account only, the web app having no cluster access here.
    binding = named(objects, "RoleBinding")[OPERATOR]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": OPERATOR,
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": OPERATOR, "namespace": NAMESPACE}
    ]
    assert named(objects, "ServiceAccount")[OPERATOR]["automountServiceAccountToken"] is False


def test_run_now_in_the_cluster_binds_the_web_account_too():
    objects = render([CHART / "ci" / "web-values.yaml"])

    # It should render the Role for the web app, without operations.rbac.create.
    subjects = named(objects, "RoleBinding")[OPERATOR]["subjects"]
    assert {"kind": "ServiceAccount", "name": f"{RELEASE}-web", "namespace": NAMESPACE} in subjects
    assert {"kind": "ServiceAccount", "name": OPERATOR, "namespace": NAMESPACE} in subjects
