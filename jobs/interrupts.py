"""Deadline and SIGTERM: stop the job where it stands, then record and push before exiting.

While the job's code runs, SIGTERM/SIGINT raise Terminated and the deadline raises
DeadlineExceeded inside it, so the transaction in flight rolls back. While the run is being
recorded, signals are only noted. A watchdog thread, woken by the C-level signal handler itself,
ends the process if recording has not finished within the grace period Kubernetes allows.
"""

import os
import signal
import threading
import time
from contextlib import contextmanager

from jobs.errors import DeadlineExceeded, Terminated

GRACE_SECONDS = 4.5
EXIT_CODES = {signal.SIGTERM: 143, signal.SIGINT: 130}


class Interrupts:
    def __init__(self, timeout: int, grace: float = GRACE_SECONDS):
        self.timeout = timeout
        self.grace = grace
        self.armed = False
        self.received: signal.Signals | None = None
        self._previous = {}
        self._wakeup_fd: int | None = None

    def install(self):
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            self._previous[signum] = signal.signal(signum, self._handle)
        self._start_watchdog()

    def uninstall(self):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.set_wakeup_fd(-1)
        if self._wakeup_fd is not None:
            os.close(self._wakeup_fd)  # the watchdog reads end-of-file and returns
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    @contextmanager
    def armed_for_job(self):
        if self.received:  # SIGTERM came while the run was being set up: do no work at all
            raise Terminated(self.received.name, EXIT_CODES[self.received])
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            yield
        finally:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _handle(self, signum, frame):
        if signum == signal.SIGALRM:
            if self.armed:
                raise DeadlineExceeded(self.timeout)
            return
        self.received = signal.Signals(signum)
        if self.armed:
            self.armed = False
            raise Terminated(self.received.name, EXIT_CODES[self.received])

    def _start_watchdog(self):
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self._wakeup_fd = write_fd
        threading.Thread(target=self._watch, args=(read_fd,), daemon=True).start()

    def _watch(self, read_fd: int):
        while data := os.read(read_fd, 1):
            if data[0] in EXIT_CODES:
                time.sleep(self.grace)
                os._exit(EXIT_CODES[data[0]])
        os.close(read_fd)
