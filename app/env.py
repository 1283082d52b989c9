"""Strict readers for settings that come from the environment.

Each reader fails loudly with ImproperlyConfigured naming the variable, so a typo in a
Kubernetes ConfigMap stops the run with exit code 2 instead of running with a silent default.
"""

import os
from pathlib import Path

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


def renamed(names: dict[str, str], environ=os.environ) -> None:
    """Old variable names still set (or their _FILE) stop the process, naming the new one:
    a renamed setting must not be ignored in silence."""
    for old, new in names.items():
        if old in environ or f"{old}_FILE" in environ:
            raise ImproperlyConfigured(f"{old} was renamed {new}: set {new} instead.")
