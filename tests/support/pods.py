"""What the Job controller and the kubelet would do, done by hand in the emulator (kmock runs
no controllers): a Job's pods through their phases, their logs, and the Job's end."""

from datetime import UTC, datetime, timedelta

from kmock import name as name_is
from kmock import subresource

from k8s.run_now import job_from_cronjob
from tests.support.chart import NAMESPACE


def pod_of(job: dict, suffix: str = "abcde", created: str = "2026-12-02T10:00:00Z") -> dict:
    """A pod of `job`, just created: pending, its container not started."""
    job_name = job["metadata"]["name"]
    template = job["spec"]["template"]
    labels = {
        **(template["metadata"].get("labels") or {}),
        "batch.kubernetes.io/job-name": job_name,
        "job-name": job_name,
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{job_name}-{suffix}",
            "namespace": NAMESPACE,
            "labels": labels,
            "creationTimestamp": created,
            "ownerReferences": [{"kind": "Job", "name": job_name, "controller": True}],
        },
        "spec": template["spec"],
        "status": pending("ContainerCreating"),
    }


def pending(reason: str, message: str = "") -> dict:
    waiting = {"reason": reason, **({"message": message} if message else {})}
    return {
        "phase": "Pending",
        "containerStatuses": [{"name": "job", "ready": False, "state": {"waiting": waiting}}],
    }


def unschedulable(message: str) -> dict:
    return {
        "phase": "Pending",
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": message,
            }
        ],
    }


def running() -> dict:
    state = {"running": {"startedAt": "2026-12-02T10:00:01Z"}}
    return {"phase": "Running", "containerStatuses": [{"name": "job", "state": state}]}


def terminated(exit_code: int) -> dict:
    state = {"terminated": {"exitCode": exit_code, "reason": "Error" if exit_code else "Completed"}}
    phase = "Failed" if exit_code else "Succeeded"
    return {"phase": phase, "containerStatuses": [{"name": "job", "state": state}]}


def job_ended(kind: str, reason: str = "", message: str = "") -> dict:
    """The Job's status once the controller calls it Complete or Failed."""
    condition = {"type": kind, "status": "True", "reason": reason, "message": message}
    return {"status": {"conditions": [condition]}}


class EmulatedLog:
    """A container's log as the API server serves it from the kubelet: each line stamped when
    it is written, `timestamps` and `sinceSeconds` honoured; also how often it was read."""

    def __init__(self):
        self.lines: list[tuple[datetime, str]] = []
        self.reads: list[dict] = []

    def write(self, *lines: str) -> None:
        now = datetime.now(UTC)
        self.lines += [(now, line) for line in lines]

    def serve(self, request) -> bytes:
        self.reads.append(dict(request.params))
        since = request.params.get("sinceSeconds")
        cutoff = datetime.now(UTC) - timedelta(seconds=int(since)) if since else None
        stamps = request.params.get("timestamps") == "true"
        shown = [
            f"{at:%Y-%m-%dT%H:%M:%S.%f}000Z {line}" if stamps else line
            for at, line in self.lines
            if cutoff is None or at >= cutoff
        ]
        return "".join(f"{line}\n" for line in shown).encode()

    def attach(self, kmock, pod_name: str) -> "EmulatedLog":
        kmock[subresource("log"), name_is(pod_name)] << self.serve
        return self


def finished_job(cronjob: dict, name: str, created: str, kind: str | None) -> dict:
    """A Job of `cronjob` as the controller leaves it: Complete, Failed, or (None) running."""
    job = job_from_cronjob(cronjob, name)
    job["metadata"].update(namespace=NAMESPACE, creationTimestamp=created)
    if kind:
        job.update(job_ended(kind))
    return job
