"""`python -m jobs trigger ENTRY [--follow]`: the Job `kubectl create job --from` creates; with
--follow, its pod's log as it comes and the job's own exit code, against an emulated pod whose
phase and log change while the command watches; on one machine, the run itself."""

import json
import re
import signal

import pytest

from jobs.models import JobRun
from jobs.operations.target import operator
from k8s.run_now import MANUAL_ANNOTATION, STARTED_BY_ANNOTATION, STARTED_BY_VARIABLE
from tests.support.operations import CRONJOBS, JOBS, PODS, CommandLine, eventually, in_thread
from tests.support.pods import (
    EmulatedLog,
    job_ended,
    pending,
    pod_of,
    running,
    terminated,
    unschedulable,
)
from tests.support.processes import wait_until


def the_manual_job(cluster) -> dict | None:
    made = [j for j in cluster.all(JOBS) if "-manual-" in j["metadata"]["name"]]
    return made[0] if made else None


@pytest.mark.asyncio
async def test_it_creates_the_job_kubectl_would_and_returns(cluster):
    answer = await cluster.cli("trigger", "statistics")

    assert answer.code == 0, answer.err
    job = the_manual_job(cluster)
    cronjob = cluster.get(CRONJOBS, "cronsuite-statistics")
    # It should create a manual Job owned by the CronJob, from its template...
    assert job["metadata"]["annotations"][MANUAL_ANNOTATION] == "manual"
    assert job["metadata"]["ownerReferences"][0]["uid"] == cronjob["metadata"]["uid"]
    # ...saying who started it, to `kubectl describe` and to the run that records it.
    assert job["metadata"]["annotations"][STARTED_BY_ANNOTATION] == operator()
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["env"][-1] == {"name": STARTED_BY_VARIABLE, "value": operator()}
    container["env"].pop()
    assert job["spec"] == cronjob["spec"]["jobTemplate"]["spec"]
    # It should say which Job it made, and how to read its log.
    name = job["metadata"]["name"]
    assert answer.out.splitlines() == [
        f"Created Job {name} from CronJob cronsuite-statistics in namespace jobs.",
        f"Its log: kubectl -n jobs logs -f job/{name}",
    ]
    listed = json.loads(await cluster.kubectl("get", "jobs", "-o", "json"))
    assert [j["metadata"]["name"] for j in listed["items"]] == [name]


@pytest.mark.asyncio
async def test_follow_streams_the_log_and_exits_with_the_jobs_own_code(cluster, kmock):
    command = await cluster.start("trigger", "statistics", "--follow", "--timeout", "60")
    job = await eventually(lambda: the_manual_job(cluster), message="the manual Job")
    pod = cluster.load(PODS, pod_of(job))["metadata"]["name"]
    log = EmulatedLog().attach(kmock, pod)

    # The kubelet starts the container, which writes as it works.
    cluster.patch(PODS, pod, {"status": running()})
    log.write('{"event": "run.started"}')
    # It should print each line once it is written...
    assert await command.line() == '{"event": "run.started"}'
    log.write('{"event": "task.done"}', '{"event": "task.done", "task": 2}')
    assert await command.line() == '{"event": "task.done"}'
    assert await command.line() == '{"event": "task.done", "task": 2}'

    # The job fails as a configuration error (exit 2, FailJob), its last line written first.
    log.write('{"event": "run.finished", "exit_code": 2}')
    cluster.patch(PODS, pod, {"status": terminated(2)})
    cluster.patch(JOBS, job["metadata"]["name"], job_ended("Failed", "PodFailurePolicy"))
    answer = await command.finish()

    # ...then the last line, each exactly once, and exit with the job's own exit code.
    assert answer.out == '{"event": "run.finished", "exit_code": 2}\n'
    assert answer.code == 2, answer.err
    assert f"Job {job['metadata']['name']} failed with exit code 2 (PodFailurePolicy)" in (
        " ".join(answer.err.split())
    )
    # It should have asked for the last seconds of the log only, after its first read.
    assert "sinceSeconds" not in log.reads[0] and "sinceSeconds" in log.reads[-1]


@pytest.mark.asyncio
async def test_follow_goes_on_through_a_retry_to_the_last_attempts_code(cluster, kmock):
    command = await cluster.start("trigger", "statistics", "--follow")
    job = await eventually(lambda: the_manual_job(cluster), message="the manual Job")
    first = cluster.load(PODS, pod_of(job, "first"))["metadata"]["name"]
    first_log = EmulatedLog().attach(kmock, first)
    cluster.patch(PODS, first, {"status": running()})
    first_log.write("attempt 1")
    assert await command.line() == "attempt 1"

    # The first attempt fails; the Job controller starts another, which succeeds.
    cluster.patch(PODS, first, {"status": terminated(1)})
    second = pod_of(job, "second", created="2026-12-02T10:01:00Z")
    second = cluster.load(PODS, second)["metadata"]["name"]
    second_log = EmulatedLog().attach(kmock, second)
    cluster.patch(PODS, second, {"status": running()})
    second_log.write("attempt 2")
    assert await command.line() == "attempt 2"
    cluster.patch(PODS, second, {"status": terminated(0)})
    cluster.patch(JOBS, job["metadata"]["name"], job_ended("Complete"))
    answer = await command.finish()

    assert answer.code == 0, answer.err
    assert answer.out == ""
    assert f"Job {job['metadata']['name']} succeeded." in answer.err


@pytest.mark.asyncio
async def test_a_pod_that_never_starts_exits_1_with_the_reason(cluster):
    command = await cluster.start("trigger", "statistics", "--follow", "--timeout", "2")
    job = await eventually(lambda: the_manual_job(cluster), message="the manual Job")
    pod = pod_of(job)
    pod["status"] = unschedulable("0/3 nodes are available: 3 Insufficient memory.")
    cluster.load(PODS, pod)

    answer = await command.finish()

    assert answer.code == 1
    said = " ".join(answer.err.split())
    assert f"The pod of Job {job['metadata']['name']} did not start within 2 s" in said
    assert "Unschedulable: 0/3 nodes are available: 3 Insufficient memory." in said
    # It should leave the Job for the operator to inspect, and say how to delete it.
    assert cluster.has(JOBS, job["metadata"]["name"])
    assert f"kubectl -n jobs delete job {job['metadata']['name']}" in said


@pytest.mark.asyncio
async def test_an_image_that_cannot_be_pulled_is_the_reason(cluster):
    command = await cluster.start("trigger", "statistics", "--follow", "--timeout", "1")
    job = await eventually(lambda: the_manual_job(cluster), message="the manual Job")
    pod = pod_of(job)
    pod["status"] = pending("ImagePullBackOff", 'Back-off pulling image "ghcr.io/x:nope"')
    cluster.load(PODS, pod)

    answer = await command.finish()

    assert answer.code == 1
    assert 'ImagePullBackOff: Back-off pulling image "ghcr.io/x:nope"' in answer.err


VALUES = """
jobs:
  broken:
    job: fail
    args: ["--message", "the feed is gone"]
    schedule: "0 * * * *"
  nap:
    job: sleep
    args: ["--seconds", "60"]
    schedule: "0 * * * *"
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_on_one_machine_follow_runs_the_job_and_exits_with_its_code(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(VALUES)

    command = await CommandLine.start(
        "trigger", "broken", "--local", "--follow", "--values", str(values)
    )
    answer = await command.finish()

    # It should run the job here, print its log and exit as the run exited.
    assert answer.code == 1, answer.err
    finished = [json.loads(line) for line in answer.out.splitlines() if "run.finished" in line]
    assert finished[0]["status"] == "failed" and "the feed is gone" in answer.out
    assert "Running broken on this machine: python -m jobs run fail" in answer.err
    run = await in_thread(JobRun.objects.get)
    assert (run.entry, run.job, run.status) == ("broken", "fail", "failed")
    # It should record a manual run, started by whoever typed the command.
    assert (run.trigger, run.started_by) == ("manual", operator())
    assert run.kubernetes_job.startswith("broken-manual-")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_on_one_machine_sigterm_reaches_the_run(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(VALUES)
    command = await CommandLine.start(
        "trigger", "nap", "--local", "--follow", "--values", str(values)
    )
    while "sleep.started" not in await command.line():
        pass

    command.process.send_signal(signal.SIGTERM)
    answer = await command.finish()

    # It should stop the run as Kubernetes would (143), not leave it orphaned.
    assert answer.code == 143, answer.err
    assert '"status": "interrupted"' in answer.out


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_on_one_machine_it_starts_the_run_in_the_background_and_names_it(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(VALUES)

    answer = await (
        await CommandLine.start("trigger", "broken", "--local", "--values", str(values))
    ).finish()

    # It should say which run to look for, within 80 columns...
    assert answer.code == 0, answer.err
    name = re.search(r"recorded as\s+(broken-manual-\d+-[0-9a-f]+)\.", answer.out)[1]
    assert all(len(line) <= 80 for line in answer.out.splitlines())
    # ...and the run should record itself under that name, started by whoever typed it.
    run = await in_thread(
        wait_until,
        lambda: JobRun.objects.filter(kubernetes_job=name, finished_at__isnull=False).first(),
        60,
        message="the background run",
    )
    assert (run.trigger, run.started_by, run.status) == ("manual", operator(), "failed")
