"""A process that installs the runtime's Interrupts, sends itself real signals in one scenario, and
prints what happened as one JSON line: the signal handlers and the watchdog, exercised for real
without arming them in the test process itself (the watchdog would end it).

python tests/support/interrupt_probe.py SCENARIO
"""

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from jobs.runtime.errors import Stop  # noqa: E402
from jobs.runtime.interrupts import Interrupts  # noqa: E402

GRACE = 0.5


def wait_for(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def while_the_job_works(interrupts: Interrupts) -> dict:
    with interrupts.armed_for_job():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    return {"slept_through": True}


def inside_a_deferred_block(interrupts: Interrupts) -> dict:
    finished = []
    try:
        with interrupts.armed_for_job():
            with interrupts.deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.1)
                finished.append(True)
            time.sleep(5)
    finally:
        print(json.dumps({"block_finished": bool(finished)}), flush=True)
    return {}


def deadline_inside_a_deferred_block(interrupts: Interrupts) -> dict:
    with interrupts.armed_for_job():
        with interrupts.deferred():
            wait_for(lambda: interrupts.pending is not None)
        time.sleep(5)
    return {}


def while_recording(interrupts: Interrupts) -> dict:
    os.kill(os.getpid(), signal.SIGTERM)
    wait_for(lambda: interrupts.pending is not None)
    left = interrupts.seconds_left()
    return {
        "pending": type(interrupts.pending).__name__,
        "seconds_left": left,
        "push_timeout": interrupts.time_for(30),
    }


def say_last_words(stop) -> None:
    print(json.dumps({"last_words": type(stop).__name__}), flush=True)


SCENARIOS = {
    "armed": (60, while_the_job_works),
    "deferred": (60, inside_a_deferred_block),
    "deadline": (1, deadline_inside_a_deferred_block),
    "deadline, then stuck": (1, deadline_inside_a_deferred_block),
    "recording": (60, while_recording),
}
# Scenarios whose run finishes recording in time (the runner then uninstalls the interrupts).
RECORDED = {"deadline"}

if __name__ == "__main__":
    timeout, scenario = SCENARIOS[sys.argv[1]]
    interrupts = Interrupts(timeout, grace=GRACE)
    interrupts.last_words = say_last_words
    interrupts.install()
    try:
        result = scenario(interrupts)
    except Stop as stop:
        result = {
            "raised": type(stop).__name__,
            "exit_code": int(stop.exit_code),
            "says": str(stop),
        }
    print(json.dumps(result), flush=True)
    if sys.argv[1] in RECORDED:
        interrupts.uninstall()
    time.sleep(5)  # a run not done within the grace period is ended by the watchdog
