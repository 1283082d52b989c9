"""Copy records from an external service (Celery's `sync_external_data`): fetch one JSON document
from EXTERNAL_DATA_URL, validate every record, then upsert them in one transaction.

Idempotent: rows whose data did not change are not written, so a second run with the same
document counts everything as unchanged and leaves every row (and its changed_at) as it was.
A malformed or partial document fails the run before anything is written. Records missing from
the document are kept. The format is in docs/jobs/sync-external-data.md.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from app.external.models import ExternalRecord
from app.fetching import (
    BadStatus,
    FetchFailed,
    InvalidURL,
    NoAnswer,
    NotJSON,
    Problems,
    fetch_json,
)
from jobs.runtime.errors import ConfigurationError, JobFailed
from jobs.runtime.job import Job
from jobs.runtime.run import Run

FORMAT_VERSION = 1
WRITE_BATCH_SIZE = 1000
DATA_FIELDS = ("name", "status", "attributes", "source_updated_at")
# Every kind is reported, zero included (docs/runtime.md, "Counts").
KINDS = ("created", "updated", "unchanged")


@dataclass(frozen=True)
class RecordData:
    external_id: str
    name: str
    status: str
    attributes: dict
    source_updated_at: datetime | None

    def values(self) -> tuple:
        return tuple(getattr(self, field) for field in DATA_FIELDS)


def fetch(url: str, timeout: int) -> object:
    try:
        return fetch_json(url, timeout)
    except InvalidURL as e:
        raise ConfigurationError(f"EXTERNAL_DATA_URL {e.url} is not a valid http(s) URL.")
    except NoAnswer:
        raise JobFailed(f"EXTERNAL_DATA_URL did not answer within {timeout} s.")
    except BadStatus as e:
        raise JobFailed(f"EXTERNAL_DATA_URL answered HTTP {e.status}; nothing was written.")
    except NotJSON as e:
        raise JobFailed(f"EXTERNAL_DATA_URL did not return valid JSON ({e}); nothing was written.")
    except FetchFailed as e:
        raise JobFailed(f"Cannot fetch EXTERNAL_DATA_URL {e.url}: {e}")


def string_field(
    item: dict, field: str, max_length: int, required: bool, problems: Problems, where: str
):
    value = item.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        rule = f"must be a non-empty string of at most {max_length} characters"
        problems.add(f"{where}.{field}", rule)
        return ""
    return value.strip()


def parse_record(item: object, where: str, problems: Problems) -> RecordData | None:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return None
    external_id = string_field(item, "id", 100, True, problems, where)
    name = string_field(item, "name", 200, True, problems, where)
    status = string_field(item, "status", 50, False, problems, where)
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict):
        problems.add(f"{where}.attributes", "must be an object")
    updated_at = item.get("updated_at")
    if updated_at is not None:
        parsed = parse_datetime(updated_at) if isinstance(updated_at, str) else None
        if parsed is None or timezone.is_naive(parsed):
            problems.add(f"{where}.updated_at", f"{updated_at!r} is not ISO 8601 with an offset")
        updated_at = parsed
    return RecordData(external_id, name, status, attributes, updated_at)


def parse_document(document: object) -> list[RecordData]:
    """Every record, validated; JobFailed naming the problems if any record is wrong."""
    if not isinstance(document, dict):
        raise JobFailed("The external data is not a JSON object; nothing was written.")
    problems = Problems()
    if document.get("version") != FORMAT_VERSION:
        problems.add("version", f"{document.get('version')!r} is not {FORMAT_VERSION}")
    items = document.get("records")
    if not isinstance(items, list):
        problems.add("records", "must be a list")
        items = []
    # `count` catches a truncated or paginated export that is still valid JSON.
    if document.get("count") != len(items):
        problems.add("count", f"{document.get('count')!r} but {len(items)} records present")
    records = [parse_record(item, f"records[{i}]", problems) for i, item in enumerate(items)]
    ids = Counter(record.external_id for record in records if record and record.external_id)
    for key, n in ids.items():
        if n > 1:
            problems.add("records", f"id {key!r} appears {n} times")
    if problems:
        raise JobFailed(f"The external data is invalid, nothing was written: {problems}.")
    return records


def stored_values(row: ExternalRecord) -> tuple:
    return tuple(getattr(row, field) for field in DATA_FIELDS)


def upsert(records: list[RecordData]) -> Counter:
    """Write new and changed records in one transaction; counts created/updated/unchanged."""
    counts = Counter(dict.fromkeys(KINDS, 0))
    now = timezone.now()
    with transaction.atomic():
        ids = [record.external_id for record in records]
        existing = ExternalRecord.objects.in_bulk(ids, field_name="external_id")
        rows = []
        for record in records:
            current = existing.get(record.external_id)
            if current is not None and stored_values(current) == record.values():
                counts["unchanged"] += 1
                continue
            counts["updated" if current else "created"] += 1
            fields = dict(zip(DATA_FIELDS, record.values()))
            rows.append(ExternalRecord(external_id=record.external_id, changed_at=now, **fields))
        # update_conflicts also covers a row another writer inserted since in_bulk() ran.
        ExternalRecord.objects.bulk_create(
            rows,
            batch_size=WRITE_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=[*DATA_FIELDS, "changed_at"],
        )
    return counts


class SyncExternalData(Job):
    name = "sync-external-data"
    help = "Fetch records from EXTERNAL_DATA_URL and upsert them (all or nothing, idempotent)."

    def handle(self, run: Run) -> None:
        url = settings.EXTERNAL_DATA_URL
        if not url:
            raise ConfigurationError("EXTERNAL_DATA_URL is not set: the job has nothing to fetch.")
        for kind in KINDS:
            run.count(kind, 0)
        records = parse_document(fetch(url, settings.EXTERNAL_DATA_TIMEOUT))
        n = len(records)
        run.log.info("external_data.fetched", f"{n} valid records.", records=n)
        counts = upsert(records)
        for kind, n in counts.items():
            run.count(kind, n)
        run.log.info("external_data.upserted", "Records upserted.", **counts)
