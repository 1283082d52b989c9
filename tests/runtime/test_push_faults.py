"""A Pushgateway that hangs instead of failing: every push is over within PUSHGATEWAY_TIMEOUT as a
whole, the run keeps its own exit code and its one summary line, and SIGTERM still ends it in 5 s.

The bounds below compare with the configured timeout (plus a margin for the process's own work
after the push), measured from the moment the hanging peer read the push: never a benchmark.
Without a bound on the whole push, each trickled push took 57 s (one byte of the answer a second,
and a per-read timeout of 2 s never fires)."""

import time

import pytest

from jobs.models import JobRun
from tests.support.hung_peers import silent, trickling
from tests.support.processes import run_job, start_job, terminate, wait_for_line, wait_until

pytestmark = [pytest.mark.core, pytest.mark.django_db(transaction=True)]

TIMEOUT = 2
# What the process does after a push gave up: the summary line, closing its connections, exiting.
MARGIN = 1.5


@pytest.mark.parametrize("peer", [trickling, silent], ids=["trickling", "silent"])
def test_each_push_ends_within_the_timeout_and_the_run_keeps_its_exit_code(peer):
    with peer() as gateway:
        result = run_job(
            "run", "addition", PUSHGATEWAY_URL=gateway.url, PUSHGATEWAY_TIMEOUT=TIMEOUT
        )
        ended = time.monotonic()

    assert result.returncode == 0, result.stderr
    # It should have tried both pushes, start and end, and given up on each after the timeout.
    start_push, end_push = gateway.arrivals
    assert end_push - start_push < TIMEOUT + MARGIN
    assert ended - end_push < TIMEOUT + MARGIN
    failures = result.events("metrics.push_failed")
    assert [line["error"] for line in failures] == [f"no complete answer within {TIMEOUT} s"] * 2
    assert result.summary["status"] == "succeeded"
    assert JobRun.objects.get().status == "succeeded"


def test_a_sigterm_during_a_hanging_push_exits_143_within_5_s():
    with trickling() as gateway:
        job = start_job("run", "sleep", "--seconds", "60", PUSHGATEWAY_URL=gateway.url)
        wait_until(lambda: gateway.arrivals, message="the start push to reach the Pushgateway")

        result, seconds = terminate(job, [])

    assert result.returncode == 143, result.stderr
    assert seconds < 5
    # It should still record and report the run: the start push gave up, the job never started.
    assert result.summary["status"] == "interrupted"
    assert JobRun.objects.get().status == "interrupted"
    assert len(gateway.arrivals) == 2  # the end push was tried too


def test_after_a_sigterm_a_hanging_push_gets_only_what_is_left_of_the_grace_period():
    # A timeout longer than the grace period: the push after SIGTERM must be cut shorter.
    with trickling(prompt=1) as gateway:
        job = start_job(
            "run", "sleep", "--seconds", "60", PUSHGATEWAY_URL=gateway.url, PUSHGATEWAY_TIMEOUT=30
        )
        seen = wait_for_line(job, "sleep.started")

        result, seconds = terminate(job, seen)

    assert result.returncode == 143, result.stderr
    assert seconds < 5
    # It should have tried the end push, given up on it, and still written its summary.
    assert len(gateway.arrivals) == 2
    (failure,) = result.events("metrics.push_failed")
    assert failure["error"].startswith("no complete answer within")
    assert result.summary["status"] == "interrupted"
