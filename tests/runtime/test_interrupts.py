"""Interrupts without real signals: the handler is called directly, as the interpreter would.

(Real SIGTERM and deadlines are in test_runs.py, in subprocesses: installing the handlers in the
test process would arm a watchdog that ends it.)"""

import signal

import pytest

from jobs.runtime.errors import DeadlineExceeded, Terminated
from jobs.runtime.interrupts import Interrupts

pytestmark = pytest.mark.core


def test_sigterm_raises_at_once_while_the_job_works():
    interrupts = Interrupts(timeout=60)
    interrupts.armed = True

    with pytest.raises(Terminated) as stopped:
        interrupts._handle(signal.SIGTERM, None)

    assert stopped.value.exit_code == 143
    assert not interrupts.armed and interrupts.pending is None


def test_a_deferred_sigterm_is_raised_right_after_the_block():
    interrupts = Interrupts(timeout=60)
    interrupts.armed = True
    finished_block = False

    with pytest.raises(Terminated):
        with interrupts.deferred():
            interrupts._handle(signal.SIGTERM, None)
            finished_block = True

    # It should let the block (a commit and its count) finish first.
    assert finished_block


def test_a_deferred_deadline_is_raised_right_after_the_block():
    interrupts = Interrupts(timeout=7)
    interrupts.armed = True

    with pytest.raises(DeadlineExceeded, match="deadline of 7 s"):
        with interrupts.deferred():
            interrupts._handle(signal.SIGALRM, None)


def test_while_recording_a_sigterm_is_only_noted():
    interrupts = Interrupts(timeout=60)

    interrupts._handle(signal.SIGTERM, None)

    assert isinstance(interrupts.pending, Terminated)
    assert 0 < interrupts.seconds_left() <= interrupts.grace


def test_without_sigterm_there_is_no_grace_to_count():
    assert Interrupts(timeout=60).seconds_left() is None
