"""sync-external-data end to end: the job in a subprocess fetches its document from a real
http.server on loopback and upserts into the test database."""

from datetime import UTC, datetime

import pytest

from app.external.models import ExternalRecord
from jobs.models import JobRun
from tests.support.hung_peers import trickling
from tests.support.peers import Reply, ScriptedServer
from tests.support.processes import free_port, run_job

pytestmark = pytest.mark.django_db(transaction=True)

RECORDS = [
    {
        "id": "cust-001",
        "name": "Acme",
        "status": "active",
        "attributes": {"tier": "gold"},
        "updated_at": "2025-05-01T10:00:00+02:00",
    },
    {"id": "cust-002", "name": "Globex", "status": "inactive"},
    {"id": "cust-003", "name": "Initech", "attributes": {"seats": 12, "tags": ["b2b"]}},
]


def document(records: list, **fields) -> dict:
    return {"version": 1, "count": len(records), "records": records, **fields}


@pytest.fixture
def source():
    with ScriptedServer(Reply(200, document(RECORDS))) as server:
        yield server


def sync(url: str, **env):
    return run_job("run", "sync-external-data", EXTERNAL_DATA_URL=url, **env)


def stored() -> dict:
    return {
        r.external_id: (r.name, r.status, r.attributes, r.source_updated_at, r.changed_at)
        for r in ExternalRecord.objects.all()
    }


def existing_record(external_id: str, name: str) -> ExternalRecord:
    return ExternalRecord.objects.create(external_id=external_id, name=name, status="legacy")


def test_it_stores_every_record(source):
    result = sync(f"{source.url}/export.json")

    assert result.returncode == 0, result.stdout + result.stderr
    acme = ExternalRecord.objects.get(external_id="cust-001")
    assert (acme.name, acme.status, acme.attributes) == ("Acme", "active", {"tier": "gold"})
    assert acme.source_updated_at == datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    assert ExternalRecord.objects.get(external_id="cust-002").attributes == {}
    assert JobRun.objects.get().counts == {"created": 3, "updated": 0, "unchanged": 0}
    assert [(r.method, r.path) for r in source.requests] == [("GET", "/export.json")]


def test_it_changes_nothing_when_run_twice(source):
    sync(source.url)
    before = stored()

    result = sync(source.url)

    assert result.returncode == 0
    assert result.summary["counts"] == {"created": 0, "updated": 0, "unchanged": 3}
    # It should not even touch changed_at: nothing was written.
    assert stored() == before


def test_it_updates_only_the_records_that_changed(source):
    sync(source.url)
    before = stored()
    new = {"id": "cust-004", "name": "Umbrella"}
    changed = [RECORDS[0], {**RECORDS[1], "status": "active"}, RECORDS[2], new]
    source.script(Reply(200, document(changed)))

    result = sync(source.url)

    assert result.summary["counts"] == {"created": 1, "updated": 1, "unchanged": 2}
    after = stored()
    assert after["cust-002"][1] == "active" and after["cust-002"][4] > before["cust-002"][4]
    assert after["cust-001"] == before["cust-001"]
    # It should keep records the document no longer lists.
    existing_record("cust-900", "Only here")
    assert sync(source.url).returncode == 0
    assert ExternalRecord.objects.filter(external_id="cust-900").exists()


def test_it_exits_1_and_writes_nothing_on_malformed_json(source):
    existing_record("cust-001", "Before")
    before = stored()
    source.script(Reply(200, '{"version": 1, "records": [{"id": "cust-001", "name": "Ac'))

    result = sync(source.url)

    assert result.returncode == 1
    assert JobRun.objects.get().error.startswith("EXTERNAL_DATA_URL did not return valid JSON")
    assert stored() == before


def test_it_exits_1_and_writes_nothing_when_one_record_is_bad(source):
    existing_record("cust-001", "Before")
    before = stored()
    source.script(Reply(200, document([RECORDS[0], {"id": "cust-002", "name": ""}, RECORDS[2]])))

    result = sync(source.url)

    assert result.returncode == 1
    assert result.summary["error"] == (
        "The external data is invalid, nothing was written: "
        "records[1].name: must be a non-empty string of at most 200 characters."
    )
    # It should not write the two good records either.
    assert stored() == before


def test_it_exits_1_and_writes_nothing_when_records_are_missing(source):
    truncated = {**document(RECORDS), "count": 250}
    source.script(Reply(200, truncated))

    result = sync(source.url)

    assert result.returncode == 1
    assert "count: 250 but 3 records present" in result.summary["error"]
    assert not ExternalRecord.objects.exists()


def test_it_exits_1_when_the_source_answers_an_error(source):
    source.script(Reply(503, {"error": "maintenance"}))

    result = sync(source.url)

    assert result.returncode == 1
    assert result.summary["error"] == "EXTERNAL_DATA_URL answered HTTP 503; nothing was written."
    assert not ExternalRecord.objects.exists()
    # It should report every kind, zero included, as a run that wrote something does.
    assert JobRun.objects.get().counts == {"created": 0, "updated": 0, "unchanged": 0}


def test_it_exits_1_when_the_source_is_unreachable():
    result = sync(f"http://127.0.0.1:{free_port()}/export.json")

    assert result.returncode == 1
    assert result.summary["error"].startswith("Cannot fetch EXTERNAL_DATA_URL")
    assert "Connection refused" in result.summary["error"]
    assert not ExternalRecord.objects.exists()


def test_it_exits_1_when_the_source_is_too_slow():
    with ScriptedServer(Reply(200, document(RECORDS), delay=30)) as slow:
        result = sync(slow.url, EXTERNAL_DATA_TIMEOUT=1)

    assert result.returncode == 1
    assert result.summary["error"] == "EXTERNAL_DATA_URL did not answer within 1 s."


def test_it_exits_1_when_the_source_trickles_its_answer():
    # A byte a second: each read succeeds, so only a bound on the whole fetch ends it.
    with trickling() as peer:
        result = sync(f"{peer.url}/export.json", EXTERNAL_DATA_TIMEOUT=2)

    # It should give up at its timeout, as for a peer that never answers, and write nothing.
    assert result.returncode == 1
    assert result.summary["error"] == "EXTERNAL_DATA_URL did not answer within 2 s."
    assert not ExternalRecord.objects.exists()


def test_it_exits_2_when_the_url_is_not_set():
    result = sync("")

    assert result.returncode == 2
    run = JobRun.objects.get()
    assert run.error.startswith("EXTERNAL_DATA_URL is not set")
    # It should count nothing: the work never began.
    assert run.counts == {}
