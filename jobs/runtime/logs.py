"""One JSON object per line on stdout (or readable text on a terminal), secrets masked."""

import json
import logging
from datetime import UTC, datetime

from jobs.runtime import masking
from jobs.runtime.errors import ConfigurationError

LOGGER_NAME = "cronsuite"
MASK = "***"
CORE_FIELDS = ("ts", "level", "event", "message")


class EventFormatter(logging.Formatter):
    def __init__(self, fmt_name: str, secrets: list[str]):
        super().__init__()
        self.fmt_name = fmt_name
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "log"),
            "message": record.getMessage(),
        }
        extra = {**getattr(record, "context", {}), **getattr(record, "fields", {})}
        if record.exc_info:
            extra["traceback"] = self.formatException(record.exc_info)
        # An event field never overwrites the core ones; it keeps its value under another name.
        fields.update({f"field_{k}" if k in CORE_FIELDS else k: v for k, v in extra.items()})
        # Masked before serialising: JSON escapes quotes and backslashes inside a secret.
        fields = mask_values(fields, self.secrets)
        return self.as_json(fields) if self.fmt_name == "json" else self.as_text(fields)

    def as_json(self, fields: dict) -> str:
        return json.dumps(fields, default=str, ensure_ascii=False)

    def as_text(self, fields: dict) -> str:
        head = f"{fields.pop('ts')} {fields.pop('level').upper():<7} {fields.pop('event')}"
        message = fields.pop("message")
        traceback = fields.pop("traceback", "")
        rest = " ".join(f"{key}={value}" for key, value in fields.items())
        line = "  ".join(part for part in (head, message, rest) if part)
        return f"{line}\n{traceback}" if traceback else line


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
        handler.setFormatter(EventFormatter(fmt_name, secrets))
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


class EventLog:
    """log.info("event.name", "A sentence.", key=value) with the run's context on every line."""

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
