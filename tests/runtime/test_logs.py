"""The log line itself: fields, masking, and what a job's fields may not overwrite."""

import json
import logging

import pytest

from jobs.runtime.logs import EventFormatter

pytestmark = pytest.mark.core


def record(text: str, **fields) -> logging.LogRecord:
    line = logging.LogRecord("cronsuite", logging.INFO, __file__, 1, text, None, None)
    line.event, line.context, line.fields = "test.event", {"job": "addition"}, fields
    return line


def test_a_field_never_overwrites_the_core_keys():
    line = json.loads(EventFormatter("json", []).format(record("real", message="fake", level="x")))

    assert (line["message"], line["level"], line["event"]) == ("real", "info", "test.event")
    assert (line["field_message"], line["field_level"]) == ("fake", "x")


def test_secrets_are_masked_inside_nested_fields_and_escaped_characters():
    secret = 'p"a\\ss-word'
    formatter = EventFormatter("json", [secret])

    text = formatter.format(record(f"uses {secret}", nested={"list": [f"x{secret}y"]}))

    assert secret not in text and json.dumps(secret)[1:-1] not in text
    assert json.loads(text)["nested"] == {"list": ["x***y"]}
