import pytest

from tests.support.web import collect_static


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    override = collect_static(root)
    yield root
    override.disable()
