import pytest

from tests.support.operations import emulate


@pytest.fixture
def cluster(kmock, tmp_path):
    """A cluster (the Kubernetes API emulator) holding the chart's CronJobs, and a kubeconfig."""
    return emulate(kmock, tmp_path)
