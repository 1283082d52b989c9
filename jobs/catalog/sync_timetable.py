"""Ask the app to refresh groups and their weekly timetables (the job the APScheduler setup ran daily): one authenticated
POST {BASE_URL}/api/groups/update, which reads the timetable feed and answers with counts.

Retries are urllib3's Retry: exponential backoff on connection errors, 5xx and 429 (waiting as
long as Retry-After says), never on other 4xx. The refresh is safe to repeat: the app validates the
whole feed before one transaction. docs/jobs/sync-timetable.md has the details.
"""

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.env import shown_url
from app.fetching import root_cause
from jobs.runtime.errors import ConfigurationError, JobFailed
from jobs.runtime.job import Job
from jobs.runtime.options import positive_int
from jobs.runtime.run import Run

PATH = "/api/groups/update"
RETRY_STATUSES = (429, 500, 502, 503, 504)
COUNTED = ("created", "updated", "removed", "unchanged")
# Every kind is reported, zero included (docs/runtime.md, "Counts").
KINDS = (*COUNTED, "slots_created", "slots_updated", "slots_removed")
ERROR_BODY_LENGTH = 200


class LoggedRetry(Retry):
    """urllib3's Retry, plus one log line per retry so an operator sees why a run was slow."""

    log = None

    def new(self, **kw):
        retry = super().new(**kw)
        retry.log = self.log  # Retry copies itself on every attempt; keep the log on the copy
        return retry

    def increment(self, method=None, url=None, response=None, error=None, *args, **kwargs):
        retry = super().increment(method, url, response, error, *args, **kwargs)
        if self.log is not None:
            reason = f"HTTP {response.status}" if response is not None else type(error).__name__
            wait = retry.get_retry_after(response) if response is not None else None
            self.log.warning(
                "sync_timetable.retry",
                f"Attempt {len(retry.history)} failed ({reason}); retrying.",
                attempt=len(retry.history),
                reason=reason,
                retry_after_seconds=wait,
            )
        return retry


def session_for(retries: int, backoff_factor: float, log) -> requests.Session:
    retry = LoggedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=0,
        allowed_methods={"POST"},  # not retried by default; the refresh is safe to repeat
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer comes back, so its error message can be shown
    )
    retry.log = log
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def required_setting(name: str) -> str:
    value = getattr(settings, name)
    if not value:
        raise ConfigurationError(f"{name} is not set: sync-timetable cannot call the app.")
    return value


def error_message(response: requests.Response) -> str:
    try:
        message = response.json().get("error")
    except (ValueError, AttributeError):
        message = None
    return str(message or response.text.strip()[:ERROR_BODY_LENGTH] or response.reason)


def read_counts(response: requests.Response) -> dict:
    try:
        body = response.json()
        counts = {kind: body[kind] for kind in COUNTED if kind in body}
    except (ValueError, TypeError):
        counts = {}
    if not {"created", "updated", "removed"} <= counts.keys() or not all(
        isinstance(n, int) for n in counts.values()
    ):
        status = response.status_code
        raise JobFailed(f"{shown_url(response.url)} answered {status} without the expected counts.")
    return body


def update_groups(url: str, token: str, timeout: int, retries: int, backoff: float, log) -> dict:
    shown = shown_url(url)  # BASE_URL may carry credentials: messages never show them
    with session_for(retries, backoff, log) as session:
        try:
            headers = {"Authorization": f"Bearer {token}"}
            response = session.post(url, headers=headers, timeout=timeout)
        except ValueError:  # MissingSchema, InvalidSchema, InvalidURL: their messages quote it
            raise ConfigurationError(f"BASE_URL is not a valid http(s) URL ({shown}).")
        except requests.RequestException as e:
            raise JobFailed(f"POST {shown} failed after {retries + 1} attempts: {root_cause(e)}")
    status = response.status_code
    if status in (401, 403):
        raise ConfigurationError(
            f"{shown} rejected the token (HTTP {status}): check TOKEN. {error_message(response)}"
        )
    if not response.ok:
        raise JobFailed(f"POST {shown} answered HTTP {status}: {error_message(response)}")
    return read_counts(response)


class SyncTimetable(Job):
    name = "sync-timetable"
    help = "Ask the app (BASE_URL) to refresh groups and their weekly timetables from the timetable feed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout-per-call",
            type=positive_int,
            help="seconds to wait for each HTTP attempt (default: SYNC_TIMETABLE_TIMEOUT, 300)",
        )

    def handle(self, run: Run, timeout_per_call: int | None = None) -> None:
        base_url = required_setting("BASE_URL")
        token = required_setting("TOKEN")
        url = base_url.rstrip("/") + PATH
        timeout = timeout_per_call or settings.SYNC_TIMETABLE_TIMEOUT
        for kind in KINDS:
            run.count(kind, 0)
        shown = shown_url(url)
        run.log.info("sync_timetable.calling", f"POST {shown}.", url=shown, timeout_seconds=timeout)
        body = update_groups(
            url,
            token,
            timeout,
            settings.SYNC_TIMETABLE_RETRIES,
            settings.SYNC_TIMETABLE_BACKOFF_FACTOR,
            run.log,
        )
        for kind in (kind for kind in COUNTED if kind in body):
            run.count(kind, body[kind])
        for kind, n in (body.get("slots") or {}).items():
            if isinstance(n, int):
                run.count(f"slots_{kind}", n)
        counts = {kind: body.get(kind) for kind in COUNTED}
        run.log.info("sync_timetable.updated", "Groups refreshed.", **counts)
