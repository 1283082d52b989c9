"""Deadline and SIGTERM: stop the job where it stands, then record and push before exiting.

While the job's code runs, SIGTERM/SIGINT raise Terminated and the deadline raises
DeadlineExceeded inside it, so the transaction in flight rolls back. A job can defer them around
a short critical step (a batch's commit and its count) with `deferred()`; they are raised right
after it. While the run is being recorded, signals are only noted.

A watchdog thread, woken by the C-level signal handler itself (so a main thread stuck in a
database call cannot delay it), gives the run the grace period to record and report. If the run
has not finished by then (a frozen database, a hung peer, a starved CPU), the watchdog says the
run's last words (the runner's report: one pushed outcome, one `run.finished` line) and ends the
process with the stop's exit code: 143 within 5 s of SIGTERM, 124 within 5 s of the deadline.

| state                          | SIGTERM / SIGINT                   | the deadline (SIGALRM)  |
|--------------------------------|------------------------------------|-------------------------|
| setting up (lock, start row)   | noted; raised when the job starts  | not armed yet           |
| the job's code (armed)         | raises Terminated there            | raises DeadlineExceeded |
| `deferred()` (a batch commit)  | noted; raised when the block ends  | same                    |
| recording the outcome          | noted; the push gets what is left  | disarmed                |
| grace period passed, not done  | last words, exit 143 (130)         | last words, exit 124    |
"""

import os
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from jobs.runtime.errors import DeadlineExceeded, Stop, Terminated

# The grace arithmetic, in one place. The contract: exit within 5 s of SIGTERM or the deadline.
# The run records and reports within GRACE_SECONDS; past it the watchdog gives the last words
# LAST_WORDS_SECONDS and exits; what is left of the 5 s absorbs a busy CPU.
GRACE_SECONDS = 4.0
LAST_WORDS_SECONDS = 0.5
# Kept after the last push for the run.finished line, within the grace period.
SUMMARY_SECONDS = 1.0
EXIT_CODES = {signal.SIGTERM: 143, signal.SIGINT: 130}


class Interrupts:
    def __init__(self, timeout: int, grace: float = GRACE_SECONDS):
        self.timeout = timeout
        self.grace = grace
        self.armed = False
        self.received: signal.Signals | None = None
        self.received_at: float | None = None
        self.pending: Stop | None = None
        self.raised: Stop | None = None  # the stop raised in the job's code, once it is
        self._previous = {}
        self._previous_wakeup_fd = -1
        self._wakeup_fd: int | None = None
        self._done = threading.Event()
        # Called by the watchdog when the grace period is over and the run is not done.
        self.last_words: Callable[[Stop], None] = lambda stop: None

    def install(self):
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            self._previous[signum] = signal.signal(signum, self._handle)
        self._start_watchdog()

    def uninstall(self):
        self._done.set()  # the run is recorded and reported: nothing left for the watchdog
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.set_wakeup_fd(self._previous_wakeup_fd)
        if self._wakeup_fd is not None:
            os.close(self._wakeup_fd)  # the watchdog reads end-of-file and returns
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    @contextmanager
    def armed_for_job(self):
        # Armed first: a SIGTERM landing between the two lines is then raised by the handler.
        self.armed = True
        if self.pending:  # SIGTERM came while the run was being set up: do no work at all
            self._raise_pending()
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            yield
        finally:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    @contextmanager
    def deferred(self):
        """Hold SIGTERM and the deadline until the block is done, then raise them."""
        was_armed, self.armed = self.armed, False
        try:
            yield
        finally:
            self.armed = was_armed
        if was_armed and self.pending:
            self._raise_pending()

    def seconds_left(self) -> float | None:
        """Of the grace period after SIGTERM; None when no SIGTERM came."""
        if self.received_at is None:
            return None
        return max(0.0, self.grace - (time.monotonic() - self.received_at))

    def time_for(self, seconds: float) -> float:
        """How long a network call may take: `seconds`, or after SIGTERM what is left of the
        grace period, less a second for the summary line that follows (never below 0.1 s)."""
        left = self.seconds_left()
        return seconds if left is None else max(0.1, min(seconds, left - SUMMARY_SECONDS))

    def _handle(self, signum, frame):
        if signum == signal.SIGALRM:
            self.pending = self.pending or DeadlineExceeded(self.timeout)
        else:
            self.received = signal.Signals(signum)
            self.received_at = self.received_at or time.monotonic()
            self.pending = Terminated(self.received.name, EXIT_CODES[self.received])
        if self.armed:
            self._raise_pending()

    def _raise_pending(self):
        error, self.pending, self.armed = self.pending, None, False
        self.raised = error
        raise error

    def _start_watchdog(self):
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        self._previous_wakeup_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self._wakeup_fd = write_fd
        threading.Thread(target=self._watch, args=(read_fd,), daemon=True).start()

    def _watch(self, read_fd: int):
        while data := os.read(read_fd, 1):
            if data[0] in EXIT_CODES or data[0] == signal.SIGALRM:
                self._end_after_grace()
        os.close(read_fd)

    def _end_after_grace(self):
        if self._done.wait(self.grace):
            return
        # The signal handler has run by now (the wakeup fd is written first): `pending`, or the
        # stop already raised in the job, says which stop this is.
        stop = self.pending or self.raised or Terminated()
        speaker = threading.Thread(target=self.last_words, args=(stop,), daemon=True)
        speaker.start()
        speaker.join(LAST_WORDS_SECONDS)
        os._exit(stop.exit_code)
