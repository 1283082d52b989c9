"""app.fetching against real HTTP peers on loopback: a scripted server, a closed port and a peer
that accepts and never answers. Every URL carries a key in its query, which no message may show."""

import subprocess
import sys

import pytest

from app.fetching import (
    BadStatus,
    InvalidURL,
    NoAnswer,
    NotJSON,
    Problems,
    Unreachable,
    fetch_json,
    get,
)
from tests.support.hung_peers import silent, trickling
from tests.support.peers import Reply, ScriptedServer
from tests.support.processes import ROOT, free_port

KEY = "k3y-in-the-query"


def test_it_returns_the_document_the_peer_answers():
    with ScriptedServer(Reply(200, {"version": 1})) as peer:
        document = fetch_json(f"{peer.url}/export.json?key={KEY}", timeout=5)

    assert document == {"version": 1}
    # It should ask for JSON, once.
    (seen,) = peer.requests
    assert (seen.method, seen.headers["Accept"]) == ("GET", "application/json")


def test_it_names_the_status_of_an_answer_other_than_200():
    with ScriptedServer(Reply(503, {"error": "maintenance"})) as peer:
        with pytest.raises(BadStatus) as raised:
            fetch_json(f"{peer.url}/export.json?key={KEY}", timeout=5)

    assert (raised.value.status, str(raised.value)) == (503, "answered HTTP 503")
    # It should show where it went without the query.
    assert raised.value.url == f"{peer.url}/export.json"


def test_it_says_why_a_body_is_not_json():
    with ScriptedServer(Reply(200, "<html>maintenance</html>")) as peer:
        with pytest.raises(NotJSON) as raised:
            fetch_json(f"{peer.url}/export.json?key={KEY}", timeout=5)

    assert str(raised.value).startswith("Expecting value")


def test_it_gives_the_errno_sentence_of_a_refused_connection():
    url = f"http://user:pa55word@127.0.0.1:{free_port()}/export.json?key={KEY}"

    with pytest.raises(Unreachable) as raised:
        fetch_json(url, timeout=5)

    assert str(raised.value) == "[Errno 111] Connection refused"
    assert raised.value.kind == "ConnectionError"
    # It should show the URL without its credentials or its query.
    assert raised.value.url == url.replace("user:pa55word@", "").removesuffix(f"?key={KEY}")


def test_it_never_quotes_a_url_it_cannot_use():
    with pytest.raises(InvalidURL) as raised:
        fetch_json(f"api.example.com/export.json?key={KEY}", timeout=5)

    # requests' own message quotes the whole URL, key included: it should not be shown.
    assert str(raised.value) == "not a valid http(s) URL"
    assert (raised.value.url, raised.value.kind) == ("api.example.com/export.json", "MissingSchema")


def test_it_gives_up_on_a_peer_that_never_answers():
    with silent() as peer:
        with pytest.raises(NoAnswer) as raised:
            get(f"{peer.url}/healthz?key={KEY}", timeout=0.5)

    assert str(raised.value) == "no answer within 0.5 s"
    assert (raised.value.timeout, raised.value.url) == (0.5, f"{peer.url}/healthz")
    # It should have asked once: a timeout is not retried.
    assert len(peer.arrivals) == 1


def test_it_gives_up_on_a_peer_that_trickles_its_answer():
    # A byte a second: every read succeeds, so requests' own timeout (per read) never fires.
    with trickling() as peer:
        with pytest.raises(NoAnswer) as raised:
            fetch_json(f"{peer.url}/records?key={KEY}", timeout=1.5)

    # It should give up at the timeout, not once the whole answer has crawled in.
    assert str(raised.value) == "no answer within 1.5 s"
    assert raised.value.url == f"{peer.url}/records"


def test_it_passes_its_options_to_requests():
    with ScriptedServer(Reply(302, headers={"Location": "/elsewhere"})) as peer:
        response = get(f"{peer.url}/healthz", timeout=5, allow_redirects=False)

    # It should answer the redirect itself, not follow it.
    assert response.status_code == 302
    assert [seen.path for seen in peer.requests] == ["/healthz"]


def test_problems_show_the_first_five_and_count_the_rest():
    problems = Problems()
    assert not problems

    for i in range(7):
        problems.add(f"records[{i}].id", "must be a non-empty string")

    assert problems
    assert str(problems) == (
        "records[0].id: must be a non-empty string; records[1].id: must be a non-empty string; "
        "records[2].id: must be a non-empty string; records[3].id: must be a non-empty string; "
        "records[4].id: must be a non-empty string (and 2 more)"
    )


def test_importing_it_does_not_import_requests():
    # A job that fetches nothing must not pay for requests (bench/startup.py).
    code = "import sys, app.fetching; print('requests' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"
