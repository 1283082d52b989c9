"""The old scheduler dashboard's API examples, run as written with curl against the app served by gunicorn: only
the token and the address are filled in."""

import json
import subprocess

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from app.chat.models import StatisticsSnapshot
from jobs.models import JobRun
from tests.support.processes import wait_until
from tests.support.web import WebServer

pytestmark = pytest.mark.django_db(transaction=True)

# Copied from the old scheduler's Quick Start ("API Endpoints (Admin Only)"), byte for byte.
OLD_DASHBOARD_EXAMPLES = {
    "status": """curl -H "Authorization: Bearer YOUR_JWT_TOKEN" \\
     http://127.0.0.1:8000/api/admin/scheduler/status""",
    "trigger": """curl -X POST \\
     -H "Authorization: Bearer YOUR_JWT_TOKEN" \\
     -H "Content-Type: application/json" \\
     -d '{"task": "all"}' \\
     http://127.0.0.1:8000/api/admin/scheduler/trigger""",
    "statistics": """curl -H "Authorization: Bearer YOUR_JWT_TOKEN" \\
     http://127.0.0.1:8000/api/admin/scheduler/statistics""",
}


def run_example(name: str, url: str, token: str) -> dict:
    command = OLD_DASHBOARD_EXAMPLES[name].replace("YOUR_JWT_TOKEN", token)
    command = command.replace("http://127.0.0.1:8000", url) + " --silent --max-time 30"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def served(static_root):
    with WebServer(static_root) as server:
        yield server.url


def test_the_old_dashboards_examples_work_as_written(served):
    admin = User.objects.create_user("admin", is_staff=True, is_superuser=True)
    token = Token.objects.create(user=admin).key
    StatisticsSnapshot.objects.create(
        total_users=42, total_conversations=156, total_messages=892, messages_last_24h=34
    )

    status = run_example("status", served, token)
    statistics = run_example("statistics", served, token)
    triggered = run_example("trigger", served, token)

    assert {e["entry"] for e in status["entries"]} >= {"housekeeping", "statistics"}
    assert (statistics["total_users"], statistics["messages_last_24h"]) == (42, 34)
    # It should start the entry that runs every housekeeping task, and name its run.
    assert triggered["entry"] == "housekeeping"
    run = wait_until(
        lambda: JobRun.objects.filter(kubernetes_job=triggered["run"]).first(),
        timeout=60,
        message="the triggered housekeeping run",
    )
    assert (run.job, run.trigger) == ("housekeeping", "manual")


def test_a_wrong_token_gets_json_not_a_page(served):
    answer = run_example("status", served, "not-a-token")

    assert answer == {"error": "Invalid token."}
