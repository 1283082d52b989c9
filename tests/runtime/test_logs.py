"""The log line itself: fields, masking, what a job's fields may not overwrite, and the text a
person reads at an 80-column terminal."""

import json
import logging
import os
import re
import sys
import time
import traceback

import pytest
from django.core.management import call_command

from jobs.runtime import logs
from jobs.runtime.logs import EventFormatter
from tests.support.processes import ROOT, run_job

pytestmark = pytest.mark.core

CREATED = 1796117405.123  # 2026-12-01T09:30:05.123 UTC
CLOCK = time.strftime("%H:%M:%S", time.localtime(CREATED))  # TIME_ZONE's time of day
RUN = {"job": "housekeeping", "entry": "statistics", "run_id": 7}


def record(text: str, event="test.event", context=None, exc_info=None, **fields):
    line = logging.LogRecord("cronsuite", logging.INFO, __file__, 1, text, None, exc_info)
    line.event, line.context, line.fields = event, {"job": "addition"}, fields
    if context is not None:
        line.context = context
    line.created = CREATED
    return line


def text(line: logging.LogRecord, secrets=()) -> str:
    return EventFormatter("text", list(secrets)).format(line)


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


def test_a_json_line_keeps_its_exact_bytes():
    line = record("Task done.", context=RUN, counts={"users": 2}, dry_run=False, when=None)

    # It should stay what log pipelines parse: the run's context on every line, JSON's words.
    assert EventFormatter("json", []).format(line) == (
        '{"ts": "2026-12-01T09:30:05.123+00:00", "level": "info", "event": "test.event", '
        '"message": "Task done.", "job": "housekeeping", "entry": "statistics", "run_id": 7, '
        '"counts": {"users": 2}, "dry_run": false, "when": null}'
    )


def test_text_shows_the_time_the_level_and_the_message_first():
    line = record(
        "Task conversations done.",
        task="conversations",
        dry_run=False,
        counts={"conversations": 24, "messages": 72},
    )

    # It should read like a sentence, the fields after it and a mapping on a line of its own.
    assert text(line) == (
        f"{CLOCK} INFO    Task conversations done.  task=conversations dry_run=false\n"
        "                 counts: conversations=24 messages=72"
    )


def test_text_shows_the_runs_context_once_on_the_line_that_starts_it():
    started = record("Started housekeeping (local).", "run.started", RUN, trigger="local")
    task = record("Task stats done.", "housekeeping.task", RUN, task="stats")

    assert text(started) == (
        f"{CLOCK} INFO    Started housekeeping (local).  job=housekeeping\n"
        "                 entry=statistics run_id=7 trigger=local"
    )
    # It should leave the context out of every other line of the run.
    assert text(task) == f"{CLOCK} INFO    Task stats done.  task=stats"


def test_text_values_read_as_words_never_as_python_reprs():
    line = record(
        "Done.",
        verbose=True,
        scheduled_for=None,
        tasks=["users", "stats"],
        note="two words",
        arguments={"task": None, "dry_run": True, "limits": {"days": 30}},
    )

    assert text(line) == (
        f'{CLOCK} INFO    Done.  verbose=true tasks=users,stats note="two words"\n'
        "                 arguments: dry_run=true limits={days=30}"
    )


def test_text_lines_fit_in_80_columns_without_losing_a_word():
    error = "upstream answered 503: " + " ".join(f"word{n}" for n in range(30))
    line = record(f"Sync failed: {error}", status="failed", error=error)

    lines = text(line).splitlines()

    assert max(len(line) for line in lines) <= 80
    # It should wrap under the message, the long quoted value too, keeping every word in order.
    assert all(line.startswith(" " * 17) for line in lines[1:])
    assert " ".join(text(line).split()).endswith(f'status=failed error="{error}"')


def test_text_keeps_a_traceback_as_python_prints_it():
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        exc_info = sys.exc_info()
    line = record("ZeroDivisionError: division by zero", status="failed", exc_info=exc_info)

    shown = text(line)

    assert shown.startswith(f"{CLOCK} INFO    ZeroDivisionError: division by zero  status=failed\n")
    assert shown.endswith("".join(traceback.format_exception(*exc_info)).rstrip("\n"))


def test_text_masks_secrets_in_the_message_the_fields_and_the_traceback():
    secret = "tok-3f9a1c2e"
    try:
        raise ValueError(f"refused {secret}")
    except ValueError:
        exc_info = sys.exc_info()
    line = record(f"login with {secret}", url=f"http://u:{secret}@x", exc_info=exc_info)

    shown = text(line, secrets=[secret])

    assert secret not in shown
    assert "login with ***" in shown and "url=http://u:***@x" in shown
    assert "ValueError: refused ***" in shown


def test_the_level_is_coloured_on_a_terminal_only(tmp_path):
    master, replica = os.openpty()
    terminal = os.fdopen(replica, "w")
    log_file = tmp_path / "job.log"
    logger = logs.configure(terminal, "text", "INFO", [], str(log_file))
    try:
        logs.EventLog().info("test.event", "Hello.")

        shown = os.read(master, 4096).decode()
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        os.close(master)

    # It should colour the level on the terminal, and write plain text to the file.
    assert "\x1b[32mINFO   \x1b[0m Hello." in shown
    assert re.fullmatch(r"\d\d:\d\d:\d\d INFO    Hello\.\n", log_file.read_text())


@pytest.mark.django_db(transaction=True)
def test_the_readme_shows_what_make_run_prints():
    loaded = call_command("load_demo_data")

    result = run_job("run", "housekeeping", LOG_FORMAT="text", CRONSUITE_POD="laptop")

    sample = readme_sample()
    assert result.returncode == 0, result.stderr
    assert loaded in sample
    # It should show the job's lines, summary last, word for word but for the clock, durations
    # and run id (which change from run to run), and within 80 columns.
    job_lines = sample[re.search(r"^\d\d:\d\d:\d\d ", sample, re.M).start() :]
    assert words(job_lines) == words(result.stdout)
    assert max(len(line) for line in job_lines.splitlines()) <= 80


def readme_sample() -> str:
    """The README's fenced sample of `make run` output (the block showing the demo data)."""
    blocks = re.findall(r"^```\w*\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)
    return next(block for block in blocks if "Loaded demo data" in block)


def words(output: str) -> list[str]:
    """The output's words, with what changes from run to run made the same."""
    output = re.sub(r"\b\d\d:\d\d:\d\d\b", "HH:MM:SS", output)
    output = re.sub(r"\b\d+\.\d+\b", "N.N", output)
    return re.sub(r"\brun_id=\d+", "run_id=N", output).split()
