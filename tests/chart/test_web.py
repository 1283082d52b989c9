"""The chart's web app: rendered by the real helm, and its container's command run under gunicorn."""

import http.client
import subprocess
import sys

import pytest

from tests.support.chart import CHART, NAMESPACE, RELEASE, render
from tests.support.processes import ROOT, free_port, job_environment, wait_until

WEB = f"{RELEASE}-web"
SERVICE_URL = f"http://{WEB}.{NAMESPACE}.svc:80"


def by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def web_container(objects: list[dict]) -> dict:
    (c,) = by_kind(objects, "Deployment")[WEB]["spec"]["template"]["spec"]["containers"]
    return c


def test_the_web_app_is_on_by_default_with_a_service_and_its_own_account(default_objects):
    deployment = by_kind(default_objects, "Deployment")[WEB]
    service = by_kind(default_objects, "Service")[WEB]
    pod = deployment["spec"]["template"]["spec"]

    # It should select its own pods only (not the jobs' pods, which share the release's labels).
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector["app.kubernetes.io/component"] == "web"
    assert service["spec"]["selector"] == selector
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    ]
    # It should run under its own ServiceAccount, without a token it does not use.
    assert pod["serviceAccountName"] == WEB
    assert WEB in by_kind(default_objects, "ServiceAccount")
    assert pod["automountServiceAccountToken"] is False
    assert pod["restartPolicy"] == "Always"
    # It should have no Ingress and no default resources.
    assert not by_kind(default_objects, "Ingress")
    assert "resources" not in web_container(default_objects)


def test_the_web_pod_runs_as_restricted_as_the_jobs(default_objects):
    job = next(o for o in default_objects if o["kind"] == "CronJob")
    job_pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    pod = by_kind(default_objects, "Deployment")[WEB]["spec"]["template"]["spec"]

    # It should share the pod and container security contexts and the /tmp emptyDir.
    assert pod["securityContext"] == job_pod["securityContext"]
    assert (
        web_container(default_objects)["securityContext"]
        == job_pod["containers"][0]["securityContext"]
    )
    assert pod["volumes"] == job_pod["volumes"]


def test_probes_ask_healthz_with_a_host_django_allows(default_objects):
    c = web_container(default_objects)
    env = {e["name"]: e.get("value") for e in c["env"]}

    for probe in (c["readinessProbe"], c["livenessProbe"]):
        # It should probe /healthz on the named port, as a Host in ALLOWED_HOSTS.
        assert probe["httpGet"]["path"] == "/healthz"
        assert probe["httpGet"]["port"] == "http"
        (host,) = probe["httpGet"]["httpHeaders"]
        assert host["value"] in env["ALLOWED_HOSTS"].split(",")
    # It should answer the Service's names, as BASE_URL calls it.
    assert f"{WEB}.{NAMESPACE}.svc" in env["ALLOWED_HOSTS"].split(",")


def test_base_url_defaults_to_the_web_service(default_objects):
    (config,) = [o for o in default_objects if o["metadata"]["name"] == f"{RELEASE}-config"]
    # It should point sync-timetable and health-check at the Service.
    assert config["data"]["BASE_URL"] == SERVICE_URL


def test_an_explicit_base_url_wins_and_no_web_renders_nothing():
    objects = render([CHART / "ci" / "no-web-values.yaml"])
    (config,) = [o for o in objects if o["metadata"]["name"] == f"{RELEASE}-config"]

    # It should keep the user's BASE_URL and render no web object nor its test.
    assert config["data"]["BASE_URL"] == "https://app.example.com"
    assert not by_kind(objects, "Deployment") and not by_kind(objects, "Service")
    assert f"{RELEASE}-web-check" not in by_kind(objects, "Pod")


def test_the_full_web_values_render_ingress_replicas_and_run_now_in_the_cluster():
    objects = render([CHART / "ci" / "web-values.yaml"])
    deployment = by_kind(objects, "Deployment")[WEB]
    ingress = by_kind(objects, "Ingress")[WEB]
    env = {e["name"]: e for e in web_container(objects)["env"]}

    # It should take replicas, resources, the Ingress's class, host and TLS.
    assert deployment["spec"]["replicas"] == 2
    assert web_container(objects)["resources"]["limits"] == {"memory": "512Mi"}
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [
        {"hosts": ["cronsuite.example.com"], "secretName": "cronsuite-tls"}
    ]
    assert ingress["spec"]["rules"][0]["host"] == "cronsuite.example.com"
    assert "cronsuite.example.com" in env["ALLOWED_HOSTS"]["value"].split(",")
    # It should tell Run now where the CronJobs are, and mount the token it calls the API with.
    assert env["CRONSUITE_CRONJOB_PREFIX"]["value"] == f"{RELEASE}-"
    assert env["CRONSUITE_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is True
    # It should point BASE_URL at the Service's own port.
    (config,) = [o for o in objects if o["metadata"]["name"] == f"{RELEASE}-config"]
    assert config["data"]["BASE_URL"] == f"http://{WEB}.{NAMESPACE}.svc:8080"


def get(port: int, path: str, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def answers(port: int) -> bool:
    try:
        return get(port, "/healthz", "localhost").status == 200
    except OSError:
        return False


@pytest.fixture
def served(default_objects, db):
    """The Deployment's container command and env, run here on a free port."""
    c = web_container(default_objects)
    port = free_port()
    args = [a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in c["args"]]
    env = job_environment(**{e["name"]: e["value"] for e in c["env"] if "value" in e})
    # As the image does at build time: whitenoise serves what collectstatic wrote.
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True, timeout=120)
    bin_dir = ROOT / ".venv" / "bin"
    command = [
        str(bin_dir / c["command"][0]) if (bin_dir / c["command"][0]).exists() else sys.executable
    ]
    process = subprocess.Popen(
        command + args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_until(
            lambda: process.poll() is not None or answers(port), timeout=60, message="gunicorn"
        )
        assert process.poll() is None, process.stderr.read().decode()
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_rendered_command_serves_healthz_static_files_and_the_service_name(served):
    # It should answer the probes' Host and the Service's Host, and refuse any other.
    assert get(served, "/healthz", "localhost").status == 200
    assert get(served, "/healthz", f"{WEB}.{NAMESPACE}.svc:80").status == 200
    assert get(served, "/healthz", "evil.example.com").status == 400
    # It should serve the admin's CSS itself (whitenoise), with DEBUG off.
    assert get(served, "/static/admin/css/base.css", "localhost").status == 200


def test_helm_test_checks_the_service_answers(default_objects, served):
    (check,) = by_kind(default_objects, "Pod")[f"{RELEASE}-web-check"]["spec"]["containers"]
    script = check["args"][0]
    assert f"{SERVICE_URL}/healthz" in script

    # It should exit 0 against a serving app (reached here on loopback instead of the Service) ...
    here = subprocess.run(
        [sys.executable, "-c", script.replace(SERVICE_URL, f"http://127.0.0.1:{served}")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert here.returncode == 0, here.stderr
    assert "200" in here.stdout
    # ... and fail where nothing answers.
    nowhere = subprocess.run(
        [sys.executable, "-c", script.replace(SERVICE_URL, f"http://127.0.0.1:{free_port()}")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert nowhere.returncode != 0
