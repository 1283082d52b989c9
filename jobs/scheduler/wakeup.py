"""The loop's only link to signals: handlers that set a flag, and a pipe that ends its wait.

SIGTERM and SIGINT ask it to stop, SIGHUP to reload the values; SIGCHLD only wakes it, so a
finished child is reaped (and retried) at once rather than at the next tick. The handlers do
nothing else: the loop reads the flags between two steps, as healthchecks' sendalerts does.
"""

import os
import select
import signal


class Wakeup:
    def __init__(self):
        self.stop: str | None = None  # the name of the signal that asked to stop
        self.reload = False
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._previous = {}

    def install(self) -> None:
        signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        handlers = {
            signal.SIGTERM: self._stop,
            signal.SIGINT: self._stop,
            signal.SIGHUP: self._reload,
            signal.SIGCHLD: self._child,
        }
        for signum, handler in handlers.items():
            self._previous[signum] = signal.signal(signum, handler)

    def uninstall(self) -> None:
        signal.set_wakeup_fd(-1)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def wait(self, seconds: float) -> None:
        """Until `seconds` have passed or a signal came, whichever is first."""
        if select.select([self._read], [], [], max(0.0, seconds))[0]:
            try:
                while os.read(self._read, 512):
                    pass
            except BlockingIOError:
                pass

    def _stop(self, signum, frame):
        self.stop = self.stop or signal.Signals(signum).name

    def _reload(self, signum, frame):
        self.reload = True

    def _child(self, signum, frame):
        pass  # the byte in the pipe has woken the loop: that is all it is for
