"""The README and docs/helm.md show what the chart really renders."""

import re

import pytest
import yaml

from tests.support.chart import cronjobs
from tests.support.processes import ROOT


@pytest.mark.parametrize("document", ["README.md", "docs/helm.md"])
def test_the_rendered_cronjob_in_the_docs_is_the_charts(default_objects, document):
    text = (ROOT / document).read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    shown = yaml.safe_load(blocks[-1])
    assert shown == cronjobs(default_objects)[shown["metadata"]["name"]]
