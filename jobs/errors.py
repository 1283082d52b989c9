"""What can end a run, and the exit code each ending maps to (docs/runtime.md)."""


class JobFailed(Exception):
    """The job could not do its work; a later run may succeed."""

    exit_code = 1


class ConfigurationError(JobFailed):
    """A missing or invalid setting, option or credential: retrying cannot help."""

    exit_code = 2


class UsageError(ConfigurationError):
    """The command line itself is wrong (unknown job, bad option)."""


class Stop(BaseException):
    # BaseException, like KeyboardInterrupt, so a job's `except Exception` cannot swallow it.
    exit_code = 143
    status = "interrupted"


class Terminated(Stop):
    def __init__(self, signal_name: str = "SIGTERM", exit_code: int = 143):
        super().__init__(f"stopped by {signal_name}")
        self.exit_code = exit_code


class DeadlineExceeded(Stop):
    exit_code = 124
    status = "timed_out"

    def __init__(self, seconds: int):
        super().__init__(f"deadline of {seconds} s exceeded")


def exit_code_for(error: BaseException) -> int:
    return getattr(error, "exit_code", 1)


def status_for(error: BaseException) -> str:
    return getattr(error, "status", "failed")
