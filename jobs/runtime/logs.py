"""One JSON object per line on stdout (or readable text on a terminal), secrets masked.

The text format is for a person at an 80-column terminal: the time of day, the level (coloured
on a terminal only), the message, then the event's own fields as `key=value`, wrapped under the
message. The run's context (job, entry, run_id) is printed once, on the line that opens the run.
"""

import json
import logging
from datetime import UTC, datetime

from jobs.runtime import masking
from jobs.runtime.errors import ConfigurationError

LOGGER_NAME = "cronsuite"
MASK = "***"
CORE_FIELDS = ("ts", "level", "event", "message")
# The lines that open a run's record: the text format prints the run's context on them only.
CONTEXT_EVENTS = ("run.started", "run.skipped")
TEXT_WIDTH = 80
INDENT = " " * len("00:00:00 WARNING ")
COLOURS = {"DEBUG": "2", "INFO": "32", "WARNING": "33", "ERROR": "1;31", "CRITICAL": "1;31"}


class EventFormatter(logging.Formatter):
    def __init__(self, fmt_name: str, secrets: list[str], colour: bool = False):
        super().__init__()
        self.fmt_name = fmt_name
        self.secrets = secrets
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        context, fields = getattr(record, "context", {}), getattr(record, "fields", {})
        if self.fmt_name == "json":
            return self.as_json(record, {**context, **fields})
        shown = context if getattr(record, "event", "") in CONTEXT_EVENTS else {}
        return self.as_text(record, {**shown, **fields})

    def as_json(self, record: logging.LogRecord, extra: dict) -> str:
        fields = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
            **self.event_fields(record, extra),
        }
        # Masked before serialising: JSON escapes quotes and backslashes inside a secret.
        fields = mask_values(fields, self.secrets)
        return json.dumps(fields, default=str, ensure_ascii=False)

    def as_text(self, record: logging.LogRecord, extra: dict) -> str:
        fields = mask_values(self.event_fields(record, extra), self.secrets)
        traceback = fields.pop("traceback", "")
        lines = text_lines(mask(record.getMessage(), self.secrets), fields)
        # The local time is TIME_ZONE's: Django sets the process's TZ from it.
        clock = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        head = f"{clock} {self.paint(record.levelname)} {lines[0]}"
        text = "\n".join([head, *(f"{INDENT}{line}".rstrip() for line in lines[1:])])
        return f"{text}\n{traceback}" if traceback else text

    def event_fields(self, record: logging.LogRecord, extra: dict) -> dict:
        if record.exc_info:
            extra = {**extra, "traceback": self.formatException(record.exc_info)}
        # An event field never overwrites the core ones; it keeps its value under another name.
        return {f"field_{k}" if k in CORE_FIELDS else k: v for k, v in extra.items()}

    def paint(self, level: str) -> str:
        label = f"{level:<7}"
        colour = COLOURS.get(level) if self.colour else None
        return f"\033[{colour}m{label}\033[0m" if colour else label


def text_lines(message: str, fields: dict, width: int = TEXT_WIDTH - len(INDENT)) -> list[str]:
    """The message's lines, then its plain fields after it, then one line per mapping field
    (`counts: conversations=24 messages=72`); unset and empty fields are left out. Lines break
    between words, inside a quoted value too, so a long error stays within the width."""
    shown = set_fields(fields)
    plain = [f"{key}={readable(v)}" for key, v in shown.items() if not isinstance(v, dict)]
    lines: list[str] = []
    for paragraph in message.splitlines() or [""]:
        lines = fill(lines, paragraph.split(), width, new_line=True)
    lines = fill(lines, " ".join(plain).split(" ") if plain else [], width, gap="  ")
    for key, value in shown.items():
        if isinstance(value, dict) and pairs(value):
            words = [f"{key}:", *" ".join(pairs(value)).split(" ")]
            lines = fill(lines, words, width, new_line=True)
    return lines


def fill(lines: list[str], words: list[str], width: int, new_line=False, gap=" ") -> list[str]:
    """Adds the words to the last line (or a new one) while it stays within `width`, then to new
    lines; a word longer than a line gets a line of its own."""
    lines = [*lines, ""] if new_line or not lines else list(lines)
    for word in words:
        if lines[-1] and len(lines[-1]) + len(gap) + len(word) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]}{gap}{word}" if lines[-1] else word
        gap = " "
    return lines


def readable(value) -> str:
    """A field's value as a person reads it: `true`, `3`, `stats`, `"two words"`, `a,b`,
    `{k=v k=v}`: JSON's words and quotes, never Python's reprs."""
    if isinstance(value, dict):
        return "{" + " ".join(pairs(value)) + "}"
    if isinstance(value, list):
        return ",".join(readable(item) for item in value)
    if isinstance(value, str):
        plain = value and not any(c.isspace() or c in "\"'=,{}[]" for c in value)
        return value if plain else json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def pairs(mapping: dict) -> list[str]:
    return [f"{key}={readable(value)}" for key, value in set_fields(mapping).items()]


def set_fields(mapping: dict) -> dict:
    """Fields with something to say: None and empty values say nothing to a person."""
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


def mask_values(value, secrets: list[str]):
    if isinstance(value, str):
        return mask(value, secrets)
    if isinstance(value, dict):
        return {key: mask_values(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_values(item, secrets) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask(str(value), secrets)


def mask(text: str, secrets: list[str]) -> str:
    return masking.mask(text, secrets)


def configure(stream, fmt_name: str, level: str, secrets: list[str], log_file: str | None = None):
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handlers = [logging.StreamHandler(stream)]
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as e:
            raise ConfigurationError(f"--log-file {log_file}: {e.strerror}") from None
    for handler in handlers:
        # Colour for a person at a terminal only: in a file or a pipe it would be noise.
        colour = handler.stream.isatty() if hasattr(handler.stream, "isatty") else False
        handler.setFormatter(EventFormatter(fmt_name, secrets, colour))
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


class EventLog:
    """log.info("event.name", "A sentence.", key=value) with the run's context (every JSON line)."""

    def __init__(self, context: dict | None = None):
        self.logger = logging.getLogger(LOGGER_NAME)
        self.context = dict(context or {})

    def bind(self, **context) -> "EventLog":
        return EventLog({**self.context, **context})

    def log(self, level: int, event: str, message: str, exc_info=None, **fields):
        extra = {"event": event, "context": self.context, "fields": fields}
        self.logger.log(level, message, extra=extra, exc_info=exc_info)

    def debug(self, event: str, message: str, **fields):
        self.log(logging.DEBUG, event, message, **fields)

    def info(self, event: str, message: str, **fields):
        self.log(logging.INFO, event, message, **fields)

    def warning(self, event: str, message: str, **fields):
        self.log(logging.WARNING, event, message, **fields)

    def error(self, event: str, message: str, **fields):
        self.log(logging.ERROR, event, message, **fields)
