"""Follow a Job to its end, as `kubectl logs -f` and `kubectl wait` would together: print each
pod's log lines as they come, and answer the job's own exit code once the Job is over.

It polls (every call bounded, see k8s/client.py) instead of holding a log stream open: a quiet
job and a hung API server look alike on a stream, and each poll asks only for the last seconds
of the log (`sinceSeconds`), the lines already printed told apart by their timestamps. Retried
attempts (new pods of the same Job) are followed in turn; the exit code is the last attempt's.
"""

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from k8s.client import ApiError, Cluster

POLL_INTERVAL = 1.0
# Extra seconds asked of the log beyond the time since the last read: covers the API server's
# and the kubelet's delays; the timestamps drop what was already printed.
LOG_MARGIN = 5
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"


@dataclass
class Attempt:
    """One pod of the Job, as far as following it goes."""

    name: str
    running: bool  # its container runs now
    started: bool  # its container ran (running or terminated): it has a log
    exit_code: int | None  # once terminated
    waiting: str  # why it has not started, when it has not


@dataclass
class Outcome:
    exit_code: int
    sentence: str


def container_status(pod: dict) -> dict:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return next((s for s in statuses if s.get("name") == "job"), statuses[0] if statuses else {})


def not_started(pod: dict, state: dict) -> str:
    """Why a pod has not started: the container's waiting reason (ErrImagePull,
    ImagePullBackOff, CreateContainerConfigError), else an unschedulable pod's condition."""
    waiting = state.get("waiting") or {}
    if waiting.get("reason") not in (None, "ContainerCreating"):
        return f"{waiting['reason']}: {waiting.get('message', '')}".rstrip(": ")
    for condition in (pod.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return f"{condition.get('reason', 'Unschedulable')}: {condition.get('message', '')}"
    return f"pod {pod['metadata']['name']} is {(pod.get('status') or {}).get('phase', 'Pending')}"


def attempt(pod: dict) -> Attempt:
    state = container_status(pod).get("state") or {}
    terminated = state.get("terminated")
    return Attempt(
        name=pod["metadata"]["name"],
        running="running" in state,
        started="running" in state or terminated is not None,
        exit_code=terminated.get("exitCode") if terminated else None,
        waiting="" if "running" in state or terminated else not_started(pod, state),
    )


def finished(job: dict) -> dict | None:
    """The Job's Complete or Failed condition, once it has one."""
    for condition in (job.get("status") or {}).get("conditions") or []:
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return condition
    return None


def outcome(job: dict, condition: dict, attempts: list[Attempt]) -> Outcome:
    name = job["metadata"]["name"]
    codes = [a.exit_code for a in attempts if a.exit_code is not None]
    if condition["type"] == "Complete":
        return Outcome(0, f"Job {name} succeeded.")
    why = f"{condition.get('reason', 'Failed')}: {condition.get('message', '')}".rstrip(": ")
    if codes and codes[-1] != 0:
        return Outcome(codes[-1], f"Job {name} failed with exit code {codes[-1]} ({why}).")
    return Outcome(1, f"Job {name} failed ({why}).")


def stamp_key(stamp: str) -> tuple[str, str]:
    """RFC 3339 with nanoseconds, comparable: the kubelet trims trailing zeros of the fraction
    ("...:00.1Z" is later than "...:00.05Z" but sorts before it as text)."""
    base, _, fraction = stamp.rstrip("Z").partition(".")
    return base, fraction.ljust(9, "0")


class LogCursor:
    """The lines of one pod's log not printed yet, from reads that overlap in time."""

    def __init__(self):
        self.last: tuple[str, str] = ("", "")  # the timestamp of the last line printed
        self.at_last: list[str] = []  # the lines printed with that timestamp
        self.read_at: float | None = None  # when the previous read started (monotonic)

    def since_seconds(self, now: float) -> int | None:
        if self.read_at is None:
            return None  # the first read: the whole log
        return math.ceil(now - self.read_at) + LOG_MARGIN

    def fresh(self, text: str) -> list[str]:
        lines, printed = [], Counter(self.at_last)
        for raw in text.splitlines():
            stamp, _, line = raw.partition(" ")
            key = stamp_key(stamp)
            if key < self.last:
                continue  # printed after an earlier read
            if key == self.last and printed[line] > 0:
                printed[line] -= 1  # this very line: same timestamp, same text
                continue
            if key > self.last:
                self.last, self.at_last = key, []
            self.at_last.append(line)
            lines.append(line)
        return lines


class Follower:
    """Follows one Job: `step()` once per poll, until it answers an Outcome."""

    def __init__(self, cluster: Cluster, namespace: str, job: str, start_timeout: float, write):
        self.cluster, self.namespace, self.job = cluster, namespace, job
        self.start_timeout, self.write = start_timeout, write
        self.cursors: dict[str, LogCursor] = {}
        self.waiting_since: float | None = None

    def read_job(self) -> dict:
        batch = self.cluster.batch
        return self.cluster.call(
            "get", "jobs", self.namespace, batch.read_namespaced_job, self.job, self.namespace
        )

    def pods(self) -> list[dict]:
        found = self.cluster.call(
            "list",
            "pods",
            self.namespace,
            self.cluster.core.list_namespaced_pod,
            self.namespace,
            label_selector=f"{JOB_NAME_LABEL}={self.job}",
        )
        return sorted(found.get("items") or [], key=lambda p: p["metadata"]["creationTimestamp"])

    def read_log(self, pod: str, now: float) -> None:
        cursor = self.cursors.setdefault(pod, LogCursor())
        since = cursor.since_seconds(now)
        try:
            text = self.cluster.call(
                "get",
                "pods/log",
                self.namespace,
                self.cluster.core.read_namespaced_pod_log,
                pod,
                self.namespace,
                timestamps=True,
                **({"since_seconds": since} if since else {}),
            )
        except ApiError as e:
            if e.status in (400, 404):  # not started after all, or deleted: nothing to read
                return
            raise
        cursor.read_at = now
        for line in cursor.fresh(text if isinstance(text, str) else ""):
            self.write(line)

    def step(self, now: float) -> Outcome | None:
        # The Job first: once it is over, the logs read after it are complete.
        job = self.read_job()
        attempts = [attempt(pod) for pod in self.pods()]
        for a in attempts:
            if a.started:
                self.read_log(a.name, now)
        condition = finished(job)
        if condition:
            return outcome(job, condition, attempts)
        return self.check_started(attempts, now)

    def check_started(self, attempts: list[Attempt], now: float) -> Outcome | None:
        """No pod running for `start_timeout` seconds (none created, none scheduled, its image
        not pulled, the next attempt not started): give up with the reason."""
        if any(a.running for a in attempts) or self.waiting_since is None:
            self.waiting_since = now
            return None
        if now - self.waiting_since < self.start_timeout:
            return None
        pending = [a for a in attempts if not a.started]
        reason = pending[-1].waiting if pending else f"no pod was created for Job {self.job}"
        return Outcome(
            1,
            f"The pod of Job {self.job} did not start within {self.start_timeout:g} s: "
            f"{reason.rstrip('.')}. "
            f"The Job is left in place (kubectl -n {self.namespace} delete job {self.job}).",
        )


def follow(
    cluster: Cluster,
    namespace: str,
    job: str,
    start_timeout: float,
    write: Callable[[str], None],
    interval: float = POLL_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    follower = Follower(cluster, namespace, job, start_timeout, write)
    while (result := follower.step(clock())) is None:
        time.sleep(interval)
    return result
