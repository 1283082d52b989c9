"""Following a Job's log by polling: overlapping reads print each line once, in order, even
when the kubelet's timestamps trim their zeros or two lines share one."""

from k8s.follow import LogCursor, attempt, outcome
from tests.support.pods import pending, running, terminated, unschedulable


def test_overlapping_reads_print_each_line_once():
    cursor = LogCursor()
    first = cursor.fresh("2026-12-02T10:00:00.1Z one\n2026-12-02T10:00:00.1Z one\n")

    # The second read overlaps the first (sinceSeconds covers the margin) and goes further.
    again = cursor.fresh(
        "2026-12-02T10:00:00.1Z one\n2026-12-02T10:00:00.1Z one\n"
        "2026-12-02T10:00:00.1Z two\n2026-12-02T10:00:00.25Z three\n"
    )

    # It should keep both "one" lines (written twice), and print only what is new.
    assert first == ["one", "one"]
    assert again == ["two", "three"]


def test_timestamps_compare_as_times_not_as_text():
    cursor = LogCursor()
    cursor.fresh("2026-12-02T10:00:00.1Z later\n")

    # ".05Z" sorts after ".1Z" as text, but it is earlier: already printed, or older.
    assert cursor.fresh("2026-12-02T10:00:00.05Z earlier\n") == []
    assert cursor.fresh("2026-12-02T10:00:00.100000001Z next\n") == ["next"]


def pod(status: dict) -> dict:
    return {"metadata": {"name": "p"}, "status": status}


def test_an_attempt_says_why_its_pod_has_not_started():
    pulling = attempt(pod(pending("ErrImagePull", "manifest unknown")))
    stuck = attempt(pod(unschedulable("0/1 nodes are available: 1 node(s) had taints.")))
    creating = attempt(pod(pending("ContainerCreating")))

    assert pulling.waiting == "ErrImagePull: manifest unknown"
    assert stuck.waiting == "Unschedulable: 0/1 nodes are available: 1 node(s) had taints."
    assert creating.waiting == "pod p is Pending"
    assert not (pulling.started or stuck.started or creating.started)


def test_the_outcome_is_the_last_attempts_exit_code():
    attempts = [attempt(pod(terminated(1))), attempt(pod(terminated(124)))]
    job = {"metadata": {"name": "j"}}
    failed = {"type": "Failed", "reason": "BackoffLimitExceeded", "message": "limit reached"}

    result = outcome(job, failed, attempts)

    assert result.exit_code == 124
    assert result.sentence == (
        "Job j failed with exit code 124 (BackoffLimitExceeded: limit reached)."
    )
    assert outcome(job, {"type": "Complete"}, [attempt(pod(running()))]).exit_code == 0
