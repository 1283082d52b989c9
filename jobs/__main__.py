"""`python -m jobs`: the SIGTERM handler comes first, before Python and Django finish starting."""

import json
import os
import signal
import sys
import time


def stopped_while_starting(signum, frame):
    # The runtime's own handlers are not installed yet and nothing has been done: say so in the
    # one line a run ends with, and exit as SIGTERM does.
    line = {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "level": "warning",
        "event": "run.finished",
        "message": "Stopped by SIGTERM while starting: nothing was done.",
        "status": "interrupted",
        "exit_code": 143,
        "arguments": sys.argv[1:],
    }
    print(json.dumps(line), flush=True)
    raise SystemExit(143)


signal.signal(signal.SIGTERM, stopped_while_starting)

from jobs.runtime.cli import main  # noqa: E402 - after the handler, on purpose

try:
    sys.exit(main())
except BrokenPipeError:
    # The reader went away (`python -m jobs list | head`): no traceback, as the Python docs advise.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
