"""A network call bounded as a whole, not read by read.

The timeouts of requests, urllib3 and urllib are per socket operation: a peer that answers a
byte a second (every read succeeds) or a name that takes long to resolve holds a call for as
long as it likes. `within` runs the call in a daemon thread and stops waiting at the timeout; the
thread is left behind, and never keeps a process alive (a job ends soon after; a web worker's
thread ends at the peer's next silence longer than the socket timeout).
"""

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def within(timeout: float, call: Callable[[], T], name: str = "bounded-call") -> T:
    """`call()`'s answer if it comes within `timeout` seconds, else TimeoutError; an error it
    raises is raised again here, in the caller's thread."""
    outcome: dict = {}

    def attempt():
        try:
            outcome["answer"] = call()
        except BaseException as e:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = e

    thread = threading.Thread(target=attempt, name=name, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no complete answer within {round(timeout, 1):g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answer"]
