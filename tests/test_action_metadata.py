"""action.yml and the example workflows against SchemaStore's published schemas (vendored in the
PyPI package check-jsonschema), and against what `standards-check ci` reads and writes."""
from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from standards_check.commands.ci import read_inputs

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _vendored(name: str) -> dict[str, Any]:
    schema = resources.files("check_jsonschema") / "builtin_schemas" / "vendor" / name
    return json.loads(schema.read_text(encoding="utf-8"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean; GitHub reads it as "on"
        data["on"] = data.pop(True)
    return data


def _errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_action_metadata_validates_against_schemastore() -> None:
    schema = _vendored("github-actions.json")  # $id https://json.schemastore.org/github-action.json
    assert schema["$id"].endswith("github-action.json")
    assert _errors(schema, _load(ACTION)) == []


@pytest.mark.parametrize("workflow", EXAMPLES, ids=lambda p: p.name)
def test_example_workflows_validate_against_schemastore(workflow: Path) -> None:
    assert _errors(_vendored("github-workflows.json"), _load(workflow)) == []


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} >= {"pr-check.yml", "scheduled.yml"}


def test_inputs_and_outputs_are_wired_to_the_ci_command() -> None:
    action = _load(ACTION)
    assert set(action["inputs"]) == {"policy", "path", "github-token", "comment", "check-run", "sarif-file",
                                     "fail-on", "base-ref"}
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    env = step["env"]
    for name in action["inputs"]:
        assert env[f"INPUT_{name.upper().replace('-', '_')}"] == f"${{{{ inputs.{name} }}}}"
    # The defaults, as the composite passes them, are what `ci` understands.
    defaults = {f"INPUT_{n.upper().replace('-', '_')}": str(v.get("default", "")) for n, v in action["inputs"].items()
                if "${{" not in str(v.get("default", ""))}
    inputs = read_inputs(defaults)
    assert (inputs.comment, inputs.check_run, inputs.fail_on, inputs.path) == (True, True, "gate", ".")
    assert {n: o["value"] for n, o in action["outputs"].items()} == {
        n: f"${{{{ steps.scan.outputs.{n} }}}}" for n in ("score", "level", "passed", "report-json")}


def test_no_expression_is_spliced_into_a_script() -> None:
    """Inputs reach scripts through env, so a crafted input cannot inject shell code."""
    for step in _load(ACTION)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


def _uses(document: dict[str, Any]) -> list[str]:
    steps = document.get("runs", {}).get("steps", [])
    for job in document.get("jobs", {}).values():
        steps += job.get("steps", [])
    return [s["uses"] for s in steps if "uses" in s]


@pytest.mark.parametrize("path", [ACTION, *EXAMPLES], ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_sha(path: Path) -> None:
    uses = [u for u in _uses(_load(path)) if not u.startswith("standards-check/")]
    assert uses and all(SHA_PIN.match(u) for u in uses), uses
    assert "actions/setup-python@" in ACTION.read_text()


def test_pr_example_asks_for_exactly_the_permissions_it_uses() -> None:
    workflow = _load(ROOT / "examples/pr-check.yml")
    assert workflow["permissions"] == {}
    job = workflow["jobs"]["standards"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write", "checks": "write",
                                  "statuses": "write", "security-events": "write"}
    text = (ROOT / "examples/pr-check.yml").read_text()
    for permission in job["permissions"]:  # each one says why, in a comment
        assert re.search(rf"^\s+{permission}: \w+\s+# \S", text, re.M), permission
    steps = job["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    assert steps[-1]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert steps[-1]["with"]["sarif_file"] == steps[1]["with"]["sarif-file"]


def test_the_schemas_do_reject_mistakes() -> None:
    action = _load(ACTION)
    action["runs"]["steps"][1].pop("shell")  # a composite run step must name its shell
    assert _errors(_vendored("github-actions.json"), action)
    workflow = _load(ROOT / "examples/pr-check.yml")
    workflow["jobs"]["standards"]["permissions"]["pull-requests"] = "admin"
    assert _errors(_vendored("github-workflows.json"), workflow)
