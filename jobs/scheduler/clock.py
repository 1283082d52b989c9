"""The scheduler's clock, injected so that tests never wait for a wall-clock minute.

The system clock in production. In tests, SCHEDULER_TEST_CLOCK_FILE names a file holding an ISO
8601 time: the clock reads that time at the moment the file was written, and runs on in real time
from there, so a test jumps to 01:59:58 by writing the file and sees the 02:00 fire two seconds
later.
"""

import os
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FileClock:
    def __init__(self, path: str):
        self.path = path
        self._seen: tuple[int, timedelta] | None = None  # (file's mtime, offset it gives)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset()

    def offset(self) -> timedelta:
        try:
            written = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return timedelta(0)  # not written yet: the real time
        if self._seen is None or self._seen[0] != written:
            self._seen = (written, self._read(written))
        return self._seen[1]

    def _read(self, written_ns: int) -> timedelta:
        with open(self.path, encoding="utf-8") as f:
            text = f.read().strip()
        if not text:  # caught between the writer's truncate and write: read it next time
            return self._seen[1] if self._seen else timedelta(0)
        then = datetime.fromisoformat(text).astimezone(UTC)
        return then - datetime.fromtimestamp(written_ns / 1e9, UTC)


def clock_for(test_clock_file: str | None):
    return FileClock(test_clock_file) if test_clock_file else SystemClock()
