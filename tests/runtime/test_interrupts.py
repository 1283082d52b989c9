"""Interrupts with real signals, in a probe process (tests/support/interrupt_probe.py): installing
the handlers in the test process would arm a watchdog that ends it. Whole runs under SIGTERM and
deadlines are in test_runs.py."""

import json
import subprocess
import sys

import pytest

from tests.support.interrupt_probe import GRACE
from tests.support.processes import ROOT

pytestmark = pytest.mark.core
PROBE = ROOT / "tests" / "support" / "interrupt_probe.py"


def probe(scenario: str) -> tuple[int, list[dict]]:
    done = subprocess.run(
        [sys.executable, str(PROBE), scenario], capture_output=True, text=True, timeout=30
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_sigterm_raises_at_once_while_the_job_works():
    code, (result, last_words) = probe("armed")

    # It should stop the job where it stands, not after its 5 s sleep...
    assert result == {"raised": "Terminated", "exit_code": 143, "says": "stopped by SIGTERM"}
    # ...and, the run never finishing here, the watchdog should end it with 143 after its last words.
    assert last_words == {"last_words": "Terminated"}
    assert code == 143


def test_a_deferred_sigterm_is_raised_right_after_the_block():
    code, (block, result, _) = probe("deferred")

    # It should let the block (a commit and its count) finish first, then stop.
    assert block == {"block_finished": True}
    assert result["raised"] == "Terminated"
    assert code == 143


def test_a_deadline_inside_a_deferred_block_is_raised_right_after_it():
    code, (result,) = probe("deadline")

    assert result == {
        "raised": "DeadlineExceeded",
        "exit_code": 124,
        "says": "deadline of 1 s exceeded",
    }
    # It should not end the process: only SIGTERM arms the watchdog.
    assert code == 0


def test_while_recording_a_sigterm_is_only_noted_and_shortens_the_push():
    code, (result, _) = probe("recording")

    assert result["pending"] == "Terminated"
    # It should leave the push what is left of the grace, less a second for the summary line.
    assert 0 < result["seconds_left"] <= GRACE
    assert result["push_timeout"] == 0.1
    assert code == 143
