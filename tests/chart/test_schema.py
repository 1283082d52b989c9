"""values.schema.json rejects what Kubernetes would reject later, naming the field."""

import pytest

from tests.support.chart import CHART, helm

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


# Shapes the schema lets through but Kubernetes (robfig/cron) rejects: the render fails with a sentence.
FIELD_REJECTIONS = {
    "minute 61": ("61 * * * *", "minute 61 is out of range 0-59"),
    "hour 24": ("0 24 * * *", "hour 24 is out of range 0-23"),
    "day-of-month 0": ("0 0 0 * *", "day-of-month 0 is out of range 1-31"),
    "month 13": ("0 0 1 13 *", "month 13 is out of range 1-12"),
    "day-of-week 7": ("0 0 * * 7", "day-of-week 7 is out of range 0-6"),
    "range end out of range": ("0 0 * * MON-8", "day-of-week 8 is out of range 0-6"),
    "unknown month name": ("0 0 * FOO *", 'month "FOO" is not a number or JAN-DEC'),
    "name in the minute field": ("MON 0 * * *", 'minute "MON" is not a number'),
    "Quartz's L": ("0 0 L * *", 'day-of-month "L" is not a number'),
    "backwards range": ("30-10 * * * *", 'minute range "30-10" runs backwards'),
    "zero step": ("*/0 * * * *", 'minute "*/0" has a step of 0'),
    "garbage": ("0 0 * * 1#2", 'day-of-week "1#2" is not a value, a range'),
}


@pytest.mark.parametrize("schedule,says", FIELD_REJECTIONS.values(), ids=FIELD_REJECTIONS.keys())
def test_it_rejects_a_cron_field_kubernetes_would_reject(schedule, says, tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(f"jobs:\n  housekeeping:\n    schedule: {schedule!r}\n")
    result = helm("template", "cronsuite", str(CHART), "-f", str(values), check=False)
    assert result.returncode != 0
    assert f'jobs.housekeeping.schedule "{schedule}": {says}' in result.stderr
    assert_short(result.stderr)


@pytest.mark.parametrize(
    "schedule",
    [
        "@daily",
        "@hourly",
        "*/15 9-17 * * MON-FRI",
        "0 0 1,15 * *",
        "0 3 ? * SUN",
        "59 23 31 12 6",
        "0 0 * jan-dec/2 sun",
        "5/15 * * * *",
        "0  2 * * *",
    ],
)
def test_it_accepts_what_kubernetes_accepts(schedule, tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(f"jobs:\n  housekeeping:\n    schedule: {schedule!r}\n")
    helm("template", "cronsuite", str(CHART), "-f", str(values))


def test_every_property_has_a_description():
    import json

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
    lines = (CHART / "values.yaml").read_text().splitlines()
    undocumented = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if (
            stripped
            and not stripped.startswith("#")
            and ":" in stripped
            and not stripped.startswith("-")
        ):
            if not lines[i - 1].strip().startswith("#"):
                undocumented.append(f"{i + 1}: {line}")
    assert undocumented == []
