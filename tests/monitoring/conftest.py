"""Real monitoring peers for the observability tests: promtool and a Prometheus that scrapes a
Pushgateway and evaluates the chart's rules file, as a cluster's Prometheus would."""

import pytest

from tests.support.prometheus import Prometheus


@pytest.fixture(scope="module")
def prometheus(pushgateway, tmp_path_factory):
    """A fresh Prometheus on the session's Pushgateway, which is wiped first: every test module
    starts with no cronsuite series at all."""
    pushgateway.wipe()
    server = Prometheus(tmp_path_factory.mktemp("prometheus"), pushgateway.url)
    yield server
    server.stop()
