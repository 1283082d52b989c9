"""Fixtures shared by every test; the helpers behind them live in tests/support/."""

import pytest

from tests.support.processes import free_port
from tests.support.pushgateway import Pushgateway
from tests.support.web import collect_static


@pytest.fixture(scope="session")
def pushgateway():
    gateway = Pushgateway(free_port())
    yield gateway
    gateway.stop()


@pytest.fixture
def clean_pushgateway(pushgateway):
    pushgateway.wipe()
    return pushgateway


@pytest.fixture(scope="session", autouse=True)
def static_root(tmp_path_factory):
    """Admin pages name their CSS through whitenoise's manifest, which only collectstatic writes
    (the image does it at build time): collect once per session, whichever tests run."""
    root = tmp_path_factory.mktemp("static")
    override = collect_static(root)
    yield root
    override.disable()
