"""Fixtures of the scheduler's process tests; the helpers behind them live in tests/support/."""

import pytest

from tests.support.scheduler import Schedulers, TestClock


@pytest.fixture
def clock(tmp_path):
    return TestClock(tmp_path)


@pytest.fixture
def schedulers(tmp_path, clock):
    started = Schedulers(tmp_path, clock)
    yield started
    started.stop_all()
