"""The security checks end to end through the CLI: a real repository, a policy, every format."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from standards_check.resources import schema_path
from tests.cli_helpers import results_by_check, run_cli, scan_json
from tests.test_secrets import SAMPLES
from tests.test_security_workflows import PWN_REQUEST

POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: security, version: 1.0.0}
gate: {min_score: 50, min_level: 1}
rules:
  - {check: secrets.committed, level: 1, weight: 3}
  - {check: security.policy, level: 1}
  - {check: deps.update_tool, level: 1}
  - {check: security.sast, level: 1}
  - {check: workflows.permissions, level: 1}
  - {check: workflows.pinned_actions, level: 1}
  - {check: workflows.dangerous_triggers, level: 1, weight: 3}
"""


@pytest.fixture
def scanned(make_repo, tmp_path):
    secret = SAMPLES["GitHub token"]
    repo = make_repo({
        ".github/workflows/preview.yml": PWN_REQUEST,
        "SECURITY.md": "Report privately: https://github.com/acme/svc/security/advisories/new\n",
        "renovate.json": '{"extends": ["config:recommended"]}',
        "deploy/ci.env": f"# CI\nGH_TOKEN={secret}\n",
    })
    policy = tmp_path / "security.yaml"
    policy.write_text(POLICY)
    return repo, policy, secret


def test_json_report(scanned):
    repo, policy, secret = scanned
    code, report = scan_json(repo, "--policy", str(policy))
    Draft202012Validator(json.loads(schema_path("report.schema.json").read_text())).validate(report)
    results = results_by_check(report)
    assert {check: r["status"] for check, r in results.items()} == {
        "secrets.committed": "fail", "security.policy": "pass", "deps.update_tool": "pass",
        "security.sast": "fail", "workflows.permissions": "fail", "workflows.pinned_actions": "pass",
        "workflows.dangerous_triggers": "fail",
    }
    assert results["secrets.committed"]["locations"] == [{"path": "deploy/ci.env", "line": 2}]
    assert results["workflows.dangerous_triggers"]["locations"] == [
        {"path": ".github/workflows/preview.yml", "line": 9}]
    assert code == 1 and report["categories"]["security"]["failed"] == 4


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "junit"])
def test_the_secret_is_never_printed(scanned, fmt):
    repo, policy, secret = scanned
    result = run_cli("scan", str(repo), "--policy", str(policy), "--format", fmt)
    assert result.exit_code == 1
    assert "deploy/ci.env" in result.stdout  # the finding is reported, by location
    assert secret not in result.output and secret[4:20] not in result.output
