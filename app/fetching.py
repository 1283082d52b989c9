"""HTTP fetches for app/ and jobs/, written once: a GET with a timeout, a JSON document or a
readable error, and the problems found in a fetched document.

Every failure is a FetchFailed whose message says why in a few words and never where: URLs carry
credentials, and keys in their query. A message that names the URL takes it from the error's
`url`, already shown through app.env.shown_url. The timeout bounds the whole fetch, not only
each read (app/bounded.py): a peer that trickles its answer a byte at a time is a peer that did
not answer in time.

requests is imported inside the functions: it costs a process about 100 ms, which a job that
fetches nothing (or a check of a peer that is not configured) must not pay (bench/startup.py).
"""

import re

from app.bounded import within
from app.env import shown_url

MAX_PROBLEMS_SHOWN = 5
# requests nests the reason three exceptions deep; the errno sentence is what people need.
ERRNO_SENTENCE = re.compile(r"\[Errno -?\d+\] [^'\")]+")


class FetchFailed(Exception):
    """A fetch went wrong. str() is why; `url` is where, as messages may show it; `kind` is
    requests' name for the error (ConnectionError, MissingSchema, ...), for a message that says
    what went wrong without any detail."""

    def __init__(self, why: str, url: str, kind: str = ""):
        super().__init__(why)
        self.url, self.kind = shown_url(url), kind


class InvalidURL(FetchFailed):
    """Not an http(s) URL requests can use: a setting to fix, retrying cannot help."""


class NoAnswer(FetchFailed):
    """The peer did not accept the connection, or did not answer, within the timeout."""

    def __init__(self, url: str, timeout: float, kind: str = ""):
        super().__init__(f"no answer within {timeout} s", url, kind)
        self.timeout = timeout


class Unreachable(FetchFailed):
    """No connection, or it broke: str() is the root cause."""


class BadStatus(FetchFailed):
    """The peer answered with another status than 200."""

    def __init__(self, url: str, status: int):
        super().__init__(f"answered HTTP {status}", url)
        self.status = status


class NotJSON(FetchFailed):
    """The peer answered 200, but not with JSON: str() is the parser's complaint."""


def root_cause(error: Exception) -> str:
    """Why a request failed, without the URL: the errno sentence when there is one ("[Errno 111]
    Connection refused"), else the innermost error requests wraps (for urllib3's MaxRetryError,
    its reason: the last attempt's own error)."""
    if isinstance(error, ValueError):  # MissingSchema, InvalidSchema, InvalidURL: they quote it
        return "not a valid http(s) URL"
    cause = error.args[0] if error.args else error
    cause = getattr(cause, "reason", None) or cause
    errno = ERRNO_SENTENCE.search(str(cause))
    return errno.group(0) if errno else str(cause)


def failure(error: Exception, url: str, timeout: float) -> FetchFailed:
    """A requests exception as the FetchFailed that says what happened."""
    import requests  # already imported by whoever raised `error`

    kind = type(error).__name__
    if isinstance(error, requests.Timeout):
        return NoAnswer(url, timeout, kind)
    if isinstance(error, ValueError):
        return InvalidURL(root_cause(error), url, kind)
    return Unreachable(root_cause(error), url, kind)


def get(url: str, timeout: float, **options):
    """requests.get(url, **options), its whole answer within `timeout` seconds; FetchFailed
    when it does not come."""
    import requests  # here, not above: see the module's docstring

    try:
        return within(timeout, lambda: requests.get(url, timeout=timeout, **options), name="get")
    except TimeoutError:  # ours: the answer was still coming, a byte at a time
        raise NoAnswer(url, timeout, "Timeout") from None
    except requests.RequestException as e:
        raise failure(e, url, timeout) from e


def fetch_json(url: str, timeout: float) -> object:
    """The JSON document at `url`; FetchFailed unless it answers 200 and JSON within `timeout`."""
    response = get(url, timeout, headers={"Accept": "application/json"})
    if response.status_code != 200:
        raise BadStatus(url, response.status_code)
    try:
        return response.json()
    except ValueError as e:
        raise NotJSON(str(e), url) from e


class Problems:
    """Every problem found while validating a fetched document, so one failed run reports them
    all at once; str() is the first few and how many more, one line for a message."""

    def __init__(self):
        self.found: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.found.append(f"{where}: {problem}")

    def __bool__(self) -> bool:
        return bool(self.found)

    def __str__(self) -> str:
        shown = "; ".join(self.found[:MAX_PROBLEMS_SHOWN])
        more = len(self.found) - MAX_PROBLEMS_SHOWN
        return f"{shown} (and {more} more)" if more > 0 else shown
