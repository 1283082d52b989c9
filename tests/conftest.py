"""Fixtures shared by every test; the helpers behind them live in tests/support/."""

import pytest

from tests.support.processes import free_port
from tests.support.pushgateway import Pushgateway


@pytest.fixture(scope="session")
def pushgateway():
    gateway = Pushgateway(free_port())
    yield gateway
    gateway.stop()


@pytest.fixture
def clean_pushgateway(pushgateway):
    pushgateway.wipe()
    return pushgateway
