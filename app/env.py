"""Strict readers for settings that come from the environment.

Each reader fails loudly with ImproperlyConfigured naming the variable, so a typo in a
Kubernetes ConfigMap stops the run with exit code 2 instead of running with a silent default.
"""

import json
import os
from pathlib import Path
from urllib.parse import unquote, unquote_plus, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def raw(name: str, environ=os.environ) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE (a mounted Secret)."""
    file_path = environ.get(f"{name}_FILE")
    if file_path and name in environ:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_path:
        try:
            return Path(file_path).read_text().rstrip("\n")
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {e.strerror}.")
    value = environ.get(name)
    return None if value is None or value.strip() == "" else value


def string(name: str, default: str | None = None, environ=os.environ) -> str | None:
    value = raw(name, environ)
    return default if value is None else value.strip()


def integer(name: str, default: int, minimum: int = 0, environ=os.environ) -> int:
    value = raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.")
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def boolean(name: str, default: bool, environ=os.environ) -> bool:
    value = raw(name, environ)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, got {value!r}.")


def choice(name: str, choices: tuple[str, ...], default: str | None, environ=os.environ):
    value = string(name, default, environ)
    if value is not None and value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def string_list(name: str, default: list[str] | None = None, environ=os.environ) -> list[str]:
    value = raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def json_object(name: str, environ=os.environ) -> dict | None:
    """A JSON object (written by a template, not by hand), or None when unset."""
    value = raw(name, environ)
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except ValueError as e:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {e}.")
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {type(parsed).__name__}.")
    return parsed


def renamed(names: dict[str, str], environ=os.environ) -> None:
    """Old variable names still set (or their _FILE) stop the process, naming the new one:
    a renamed setting must not be ignored in silence."""
    for old, new in names.items():
        if old in environ or f"{old}_FILE" in environ:
            raise ImproperlyConfigured(f"{old} was renamed {new}: set {new} instead.")


def _split(url: str):
    # A URL without a scheme ("api.example.com/export?key=K") is still read as host, path, query.
    return urlsplit(url if "://" in url else f"//{url}")


def url_secrets(url: str | None) -> list[str]:
    """What a URL setting must never show: its userinfo and password, its query and each query
    value, as written and decoded (drivers and HTTP clients quote either). Unparseable: all of it."""
    if not url:
        return []
    try:
        parts = _split(url)
    except ValueError:
        return [url]
    userinfo = parts.netloc.rpartition("@")[0]
    # A user name alone is a token in an HTTP URL (https://TOKEN@host), but only a user name in a
    # database URL (postgres://postgres@host): masking it would hide "postgres" in every line.
    if ":" not in userinfo and parts.scheme not in ("http", "https", ""):
        userinfo = ""
    values = [pair.partition("=")[2] for pair in parts.query.split("&")]
    written = [userinfo, userinfo.partition(":")[2], parts.query, *values]
    found = [*written, *map(unquote, written), *map(unquote_plus, written)]
    return list(dict.fromkeys(part for part in found if part))


def has_credentials(url: str | None) -> bool:
    """user:password@ (or user@) before the host."""
    try:
        return bool(url) and "@" in _split(url).netloc
    except ValueError:
        return False


def shown_url(url: str | None) -> str:
    """A URL as messages may show it: scheme://host:port/path, no credentials, no query."""
    if not url:
        return ""
    try:
        parts = _split(url)
    except ValueError:
        return "(a URL that cannot be parsed)"
    scheme = f"{parts.scheme}://" if parts.scheme else ""
    return f"{scheme}{parts.netloc.rpartition('@')[2]}{parts.path}"
