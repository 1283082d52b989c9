"""values.schema.json rejects what Kubernetes would reject later, naming the field."""

import json
import subprocess
import sys

import pytest

from helm import values_schema
from jobs.cron import MACROS
from tests.support.chart import CHART, cronjobs, helm, render
from tests.support.processes import ROOT

# Each rejection: the --set that makes it, the field the message must name, and the words that say
# what to do instead.
REJECTIONS = {
    # A seconds field: APScheduler and Quartz have one, Kubernetes does not.
    "six-field cron": (
        ["jobs.housekeeping.schedule=0 0 2 * * *"],
        "/jobs/housekeeping/schedule",
        "no seconds field",
    ),
    "four-field cron": (
        ["jobs.housekeeping.schedule=0 2 * *"],
        "/jobs/housekeeping/schedule",
        "5 fields: minute hour",
    ),
    "TZ= prefix": (
        ["jobs.housekeeping.schedule=TZ=Europe/Berlin 0 2 * * *"],
        "/jobs/housekeeping/schedule",
        "set timeZone instead",
    ),
    "CRON_TZ= prefix": (
        ["jobs.housekeeping.schedule=CRON_TZ=UTC 0 2 * * *"],
        "/jobs/housekeeping/schedule",
        "set timeZone instead",
    ),
    "unknown concurrencyPolicy": (
        ["jobs.housekeeping.concurrencyPolicy=Never"],
        "/jobs/housekeeping/concurrencyPolicy",
        "'Forbid', 'Allow', 'Replace'",
    ),
    "unknown default concurrencyPolicy": (
        ["defaults.concurrencyPolicy=forbid"],
        "/defaults/concurrencyPolicy",
        "'Forbid', 'Allow', 'Replace'",
    ),
    "startingDeadlineSeconds below 10": (
        ["jobs.housekeeping.startingDeadlineSeconds=5"],
        "/jobs/housekeeping/startingDeadlineSeconds",
        "at least 10: the CronJob controller looks every 10 s",
    ),
    "entry name with capitals": (
        ["jobs.Nightly_Report.schedule=@daily"],
        "'Nightly_Report'",
        "an entry name of jobs is a DNS label",
    ),
    "entry name ending in a dash": (
        ["jobs.nightly-.schedule=@daily"],
        "'nightly-'",
        "an entry name of jobs is a DNS label",
    ),
    "entry name over 50 characters": (
        [f"jobs.{'n' * 51}.schedule=@daily"],
        "n" * 51,
        "at most 50 characters",
    ),
    "timeout of 0": (
        ["jobs.housekeeping.timeout=0"],
        "/jobs/housekeeping/timeout",
        "minimum: got 0, want 1",
    ),
    "unknown entry key": (
        ["jobs.housekeeping.scedule=@daily"],
        "'scedule' not allowed",
        "additional properties",
    ),
    "unknown top-level key": (
        ["suspendALL=true"],
        "'suspendALL' not allowed",
        "additional properties",
    ),
    "entry without schedule": (
        ["jobs.nightly.job=housekeeping"],
        "/jobs/nightly",
        "missing property 'schedule'",
    ),
}


def template(*sets: str):
    args = ["template", "cronsuite", str(CHART)]
    for item in sets:
        args += ["--set", item]
    return helm(*args, check=False)


def assert_short(stderr: str):
    # A user reads a sentence, not the schema's regular expressions.
    assert "does not match pattern" not in stderr
    assert max(len(line) for line in stderr.splitlines()) <= 200, stderr


@pytest.mark.parametrize("sets,field,says", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_it_rejects_with_a_message_naming_the_field(sets, field, says):
    result = template(*sets)
    assert result.returncode != 0
    assert "schema" in result.stderr
    assert field in result.stderr
    assert says in result.stderr
    assert_short(result.stderr)


def test_a_bad_entry_name_is_reported_under_jobs():
    result = template("jobs.Bad.schedule=@daily")
    assert "at '/jobs': additional properties 'Bad' not allowed" in result.stderr
    assert "invalid propertyName 'Bad'" in result.stderr
    assert "lowercase letters, digits and hyphens" in result.stderr


# Fields Kubernetes (robfig/cron) rejects: the generated patterns catch them and say which field
# is wrong and what it takes ("a schedule whose ...").
FIELD_REJECTIONS = {
    "minute 61": ("61 * * * *", "minute (field 1) is from 0 to 59"),
    "hour 24": ("0 24 * * *", "hour (field 2) is from 0 to 23"),
    "day-of-month 0": ("0 0 0 * *", "day-of-month (field 3) is from 1 to 31"),
    "month 13": ("0 0 1 13 *", "month (field 4) is from 1 to 12 or JAN to DEC"),
    "day-of-week 7": (
        "0 0 * * 7",
        "day-of-week (field 5) is from 0 to 6 or SUN to SAT (Sunday is 0, not 7)",
    ),
    "range end out of range": ("0 0 * * MON-8", "day-of-week (field 5) is from 0 to 6"),
    "unknown month name": ("0 0 * FOO *", "month (field 4) is from 1 to 12 or JAN to DEC"),
    "name in the minute field": ("MON 0 * * *", "minute (field 1) is from 0 to 59"),
    "Quartz's L": ("0 0 L * *", "day-of-month (field 3) is from 1 to 31"),
    "backwards range": ("30-10 * * * *", "minute (field 1) has ranges that run upwards: 1-5"),
    "backwards named range": ("0 0 * * FRI-MON", "day-of-week (field 5) has ranges that run up"),
    "backwards range in a list": ("0 0 1,20-10 * *", "day-of-month (field 3) has ranges that run"),
    "zero step": ("*/0 * * * *", "minute (field 1) has steps of at least 1: */5, not */0"),
    "zero step of a range": ("0 1-5/00 * * *", "hour (field 2) has steps of at least 1"),
    "garbage": (
        "0 0 * * 1#2",
        "day-of-week (field 5) is made of values, ranges (1-5), lists (1,5)",
    ),
}


def values_with_schedule(tmp_path, schedule: str):
    values = tmp_path / "values.yaml"
    values.write_text(f"jobs:\n  housekeeping:\n    schedule: {schedule!r}\n")
    return values


@pytest.mark.parametrize("schedule,says", FIELD_REJECTIONS.values(), ids=FIELD_REJECTIONS.keys())
def test_it_rejects_a_cron_field_kubernetes_would_reject(schedule, says, tmp_path):
    values = values_with_schedule(tmp_path, schedule)
    result = helm("template", "cronsuite", str(CHART), "-f", str(values), check=False)
    assert result.returncode != 0
    # It should name the entry (the path) and the field, once.
    assert (
        f"at '/jobs/housekeeping/schedule': value must be 'a schedule whose {says}" in result.stderr
    )
    assert result.stderr.count("value must be") == 1, result.stderr
    assert_short(result.stderr)


def test_it_names_every_wrong_field():
    result = template("jobs.housekeeping.schedule=61 24 * * *")
    assert "a schedule whose minute (field 1) is from 0 to 59" in result.stderr
    assert "a schedule whose hour (field 2) is from 0 to 23" in result.stderr
    assert_short(result.stderr)


@pytest.mark.parametrize(
    "schedule",
    [
        *MACROS,
        "*/15 9-17 * * MON-FRI",
        "0 0 1,15 * *",
        "0 3 ? * SUN",
        "59 23 31 12 6",
        "0 0 * jan-dec/2 sun",
        "5/15 * * * *",
        "0  2 * * *",
        "05 02 * * *",
        "0 0 * * 1-1",
        "0-59/59 0-23 1-31 1-12 0-6",
        "0 0 * * SUN-6",
    ],
)
def test_it_accepts_what_kubernetes_accepts(schedule, tmp_path):
    values = values_with_schedule(tmp_path, schedule)
    cronjob = cronjobs(render([values]))["cronsuite-housekeeping"]
    assert cronjob["spec"]["schedule"] == schedule


def test_the_committed_schema_is_what_the_generator_writes():
    result = subprocess.run(
        [sys.executable, "-m", "helm.values_schema", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_check_mode_fails_when_the_schema_is_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "values.schema.json"
    schema = json.loads(values_schema.SCHEMA.read_text())
    schema["definitions"]["schedule"]["description"] = "edited in place"
    stale.write_text(json.dumps(schema, indent=2) + "\n")
    monkeypatch.setattr(values_schema, "SCHEMA", stale)

    assert values_schema.main(["--check"]) == 1
    assert "out of date: run python -m helm.values_schema" in capsys.readouterr().err
    assert values_schema.main([]) == 0
    # It should have written the generated schema back, and nothing else of the file changed.
    assert stale.read_text() == (CHART / "values.schema.json").read_text()
    assert values_schema.main(["--check"]) == 0


def test_every_property_has_a_description():
    schema = json.loads((CHART / "values.schema.json").read_text())
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, child in (node.get("properties") or {}).items():
                if "$ref" not in child and "description" not in child:
                    missing.append(f"{path}.{key}")
                walk(child, f"{path}.{key}")
            for key, child in (node.get("definitions") or {}).items():
                if "description" not in child:
                    missing.append(f"definitions.{key}")
                walk(child, f"definitions.{key}")

    walk(schema, "")
    assert missing == []


def test_every_values_key_has_a_comment_above_it():
    # An entry of `jobs` needs one comment, saying what it runs and when: its keys are the
    # settings of `defaults`, documented there, so a new entry is not a comment per line.
    lines = (CHART / "values.yaml").read_text().splitlines()
    undocumented = []
    in_jobs = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "-")) or ":" not in stripped:
            continue
        if not line.startswith(" "):
            in_jobs = stripped == "jobs:"
        elif in_jobs and line.startswith("    "):
            continue
        if not lines[i - 1].strip().startswith("#"):
            undocumented.append(f"{i + 1}: {line}")
    assert undocumented == []
