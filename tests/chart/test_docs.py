"""docs/helm.md shows what the chart really renders."""

import re

import yaml

from tests.chart.conftest import ROOT, cronjobs


def test_the_rendered_cronjob_in_the_docs_is_the_charts(default_objects):
    text = (ROOT / "docs" / "helm.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    shown = yaml.safe_load(blocks[-1])
    assert shown == cronjobs(default_objects)[shown["metadata"]["name"]]
