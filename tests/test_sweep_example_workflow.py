"""examples/sweep-shards.yml stays consistent: shards match, actions pinned, commands exist."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from standards_check.cli import cli

WORKFLOW = Path(__file__).resolve().parents[1] / "examples" / "sweep-shards.yml"


def test_example_workflow() -> None:
    data = yaml.safe_load(WORKFLOW.read_text())
    shards = data["jobs"]["sweep"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(data["env"]["SHARDS"]) + 1))
    uses = [step["uses"] for job in data["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses
    runs = "\n".join(step.get("run", "") for job in data["jobs"].values() for step in job["steps"])
    for command in ("sweep", "merge", "report"):
        assert f"standards-check {command} " in runs
    for option in ("--org", "--shard", "--run-id", "--store", "--jobs", "--timeout", "--max-size-mb"):
        assert option in runs
        assert option in CliRunner().invoke(cli, ["sweep", "--help"]).output
