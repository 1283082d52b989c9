import pytest

from tests.support.chart import render


@pytest.fixture(scope="session")
def default_objects() -> list[dict]:
    return render()
