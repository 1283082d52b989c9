"""What can end a run, and the exit code each ending maps to: `exit_code_for` is the one mapping,
used by the runner (a run's outcome) and the CLI (everything before and around a run)."""

from django.core.exceptions import ImproperlyConfigured

from jobs.runtime.database import credentials_rejected, where
from jobs.runtime.vocabulary import ExitCode, Status


class JobFailed(Exception):
    """The job could not do its work; a later run may succeed."""

    exit_code = ExitCode.FAILED


class ConfigurationError(JobFailed):
    """A missing or invalid setting, option or credential: retrying cannot help."""

    exit_code = ExitCode.CONFIGURATION


class LockLost(JobFailed):
    """The database session holding the job's lock ended while the job worked."""


class UsageError(ConfigurationError):
    """The command line itself is wrong (unknown job, bad option)."""


class Stop(BaseException):
    # BaseException, like KeyboardInterrupt, so a job's `except Exception` cannot swallow it.
    exit_code = ExitCode.TERMINATED
    status = Status.INTERRUPTED


class Terminated(Stop):
    def __init__(self, signal_name: str = "SIGTERM", exit_code: int = ExitCode.TERMINATED):
        super().__init__(f"stopped by {signal_name}")
        self.exit_code = exit_code


class DeadlineExceeded(Stop):
    exit_code = ExitCode.TIMED_OUT
    status = Status.TIMED_OUT

    def __init__(self, seconds: int):
        super().__init__(f"deadline of {seconds} s exceeded")


def expected(error: BaseException) -> bool:
    """Raised on purpose (a failure the job or the runtime names), not a bug with a traceback."""
    return isinstance(error, (JobFailed, Stop, ImproperlyConfigured))


def exit_code_for(error: BaseException) -> int:
    # A bad setting (found by Django or app/env.py), or credentials the database rejects.
    if isinstance(error, ImproperlyConfigured) or credentials_rejected(error):
        return int(ExitCode.CONFIGURATION)
    return int(getattr(error, "exit_code", ExitCode.FAILED))


def status_for(error: BaseException) -> str:
    return str(getattr(error, "status", Status.FAILED))


def describe(error: BaseException) -> str:
    """One line for a person: the message of an expected error, else its type and message."""
    if credentials_rejected(error):
        reason = str(error).strip().splitlines()[-1]
        return f"The database {where()} rejected the credentials of DATABASE_URL: {reason}"
    return str(error) if expected(error) else f"{type(error).__name__}: {error}"
