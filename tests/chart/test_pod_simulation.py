"""Every rendered CronJob run as a local process, the way its pod would run it.

The container's args, its env (values, downward API fields) and envFrom (the rendered ConfigMap
and Secret) are resolved from `helm template` output, with values pointing at loopback peers as a
user would set them: PostgreSQL (the test database), a real Pushgateway, the web app itself
(`manage.py runserver`, which sync-timetable calls and health-check asks), a feed server and an
SMTP server. Each run must exit 0 and record its JobRun. This proves manifests, entrypoint and
settings agree.
"""

import base64
import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml
from aiosmtpd.controller import Controller

from jobs.cron import fire_times
from jobs.models import JobRun
from jobs.runtime.discovery import all_jobs
from tests.support.chart import NAMESPACE, RELEASE, container, cronjobs, render
from tests.support.processes import ROOT, database_url, free_port, wait_until

ENTRIES = sorted(cronjobs(render()))
TOKEN = "pod-simulation-token"
FEEDS = {
    "/timetable.json": {
        "version": 1,
        "groups": [
            {
                "code": "G1",
                "name": "Group one",
                "slots": [
                    {
                        "day": "monday",
                        "start": "09:00",
                        "end": "10:00",
                        "subject": "Maths",
                        "room": "101",
                    },
                ],
            }
        ],
    },
    "/external.json": {
        "version": 1,
        "count": 1,
        "records": [{"id": "r1", "name": "Record one", "status": "active", "attributes": {"a": 1}}],
    },
}


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = FEEDS.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body or {}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture(scope="module")
def web_app(django_db_setup, django_db_blocker, feed_server):
    """The Django app itself on loopback, on the test database."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": database_url(),
        "TOKEN": TOKEN,
        "SECRET_KEY": "pod-simulation",
        "TIMETABLE_FEED_URL": f"{feed_server}/timetable.json",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_FORMAT": "json",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "runserver",
            "--noreload",
            "--skip-checks",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        if process.poll() is not None:
            raise AssertionError(f"runserver exited: {process.stderr.read()}")
        try:
            return requests.get(f"{url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_until(up, timeout=60, message="the web app to serve")
    yield url
    process.terminate()
    process.wait(timeout=10)


def user_values(tmp_path, pushgateway, web_app, feed_server, smtp_server) -> list:
    controller, _ = smtp_server
    values = {
        "config": {
            "PUSHGATEWAY_URL": pushgateway.url,
            "BASE_URL": web_app,
            "EXTERNAL_DATA_URL": f"{feed_server}/external.json",
            "TIMETABLE_FEED_URL": f"{feed_server}/timetable.json",
            "EMAIL_HOST": controller.hostname,
            "EMAIL_PORT": controller.port,
            "EMAIL_USE_TLS": False,
            "REPORT_RECIPIENTS": "ops@example.com",
            "ADMINS": "ops@example.com",
            "DEFAULT_FROM_EMAIL": "cronsuite@example.com",
            "LOG_FORMAT": "json",
        },
        "secret": {
            "values": {
                "DATABASE_URL": database_url(),
                "SECRET_KEY": "pod-simulation",
                "TOKEN": TOKEN,
            }
        },
    }
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    return [path]


def last_fire_time(schedule: str, tz: str, now: datetime) -> datetime:
    last = None
    for t in fire_times(schedule, tz, now - timedelta(days=8)):
        if t > now:
            return last
        last = t


def pod_environment(objects: list[dict], cronjob: dict, k8s_job: str, pod: str) -> dict:
    """The container's environment as the kubelet would build it: envFrom first, then env."""
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    c = container(cronjob)
    env = {}
    for source in c["envFrom"]:
        if "configMapRef" in source:
            env.update(by_name["ConfigMap", source["configMapRef"]["name"]].get("data") or {})
        if "secretRef" in source:
            data = by_name["Secret", source["secretRef"]["name"]].get("data") or {}
            env.update({k: base64.b64decode(v).decode() for k, v in data.items()})
    fields = {
        "metadata.labels['batch.kubernetes.io/job-name']": k8s_job,
        "metadata.namespace": NAMESPACE,
        "metadata.name": pod,
    }
    for item in c["env"]:
        env[item["name"]] = (
            item["value"] if "value" in item else fields[item["valueFrom"]["fieldRef"]["fieldPath"]]
        )
    return env


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ENTRIES)
def test_the_cronjob_runs_as_its_pod_would(
    name, tmp_path, clean_pushgateway, web_app, feed_server, smtp_server
):
    objects = render(user_values(tmp_path, clean_pushgateway, web_app, feed_server, smtp_server))
    cronjob = cronjobs(objects)[name]
    args = container(cronjob)["args"]
    job, entry = args[1], name.removeprefix(f"{RELEASE}-")
    assert job in all_jobs(), f"{name} runs {job!r}, which jobs/ does not register"

    # The CronJob controller names the Job <cronjob>-<scheduled minute since the epoch>.
    due = last_fire_time(
        cronjob["spec"]["schedule"], cronjob["spec"]["timeZone"], datetime.now(timezone.utc)
    )
    k8s_job = f"{name}-{int(due.timestamp()) // 60}"
    env = pod_environment(objects, cronjob, k8s_job, pod=f"{k8s_job}-x7k2p")
    # What the image adds (Dockerfile ENV); nothing of this test process leaks in.
    env.update(
        PATH="/usr/bin:/bin", HOME=str(tmp_path), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1"
    )

    # The image's entrypoint is `python -m jobs`; the CronJob sets no command, only args.
    assert "command" not in container(cronjob)
    result = subprocess.run(
        [sys.executable, "-m", "jobs", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    run = JobRun.objects.get(entry=entry)
    assert (run.job, run.status, run.exit_code, run.trigger) == (job, "succeeded", 0, "scheduled")
    assert run.kubernetes_job == k8s_job
    assert run.scheduled_for == due
    assert run.finished_at is not None
    labels = {"job": job, "entry": entry, "namespace": NAMESPACE}
    assert (
        clean_pushgateway.value("cronsuite_job_last_success_timestamp_seconds", **labels)
        > time.time() - 3600
    )
    assert (
        clean_pushgateway.value("cronsuite_job_last_run_trigger", trigger="scheduled", **labels)
        == 1
    )
