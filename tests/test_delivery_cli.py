"""The delivery checks end to end through the CLI: a policy naming them, a real repository, JSON out."""
from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from standards_check.resources import schema_path
from tests.cli_helpers import results_by_check, scan_json
from tests.conftest import commit_all, git, write_files

REPORT_SCHEMA = Draft202012Validator(json.loads(schema_path("report.schema.json").read_text()))

POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: delivery, version: 1.0.0}
gate: {min_score: 50, min_level: 1}
rules:
  - {check: ci.present, level: 1}
  - {check: ci.tests_on_pr, level: 2, weight: 3}
  - {check: ci.coverage_gate, level: 4}
  - {check: release.changelog, level: 2}
  - {check: delivery.release_cadence, level: 5, params: {min_per_30_days: 0.5}}
  - {check: delivery.lead_time, level: 5}
  - {check: delivery.revert_rate, level: 5}
"""

WORKFLOW = """\
on:
  pull_request:
  push:
    branches: [main]
jobs:
  tests:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      - run: pytest --cov=svc --cov-fail-under=85
"""


def test_delivery_checks_through_the_cli(make_repo, tmp_path):
    repo = make_repo({".github/workflows/tests.yml": WORKFLOW, "CHANGELOG.md": "# Changelog\n\n## 1.0.0\n- First.\n" * 3},
                     date="2026-03-01T00:00:00Z")
    for day in range(2, 14):
        write_files(repo, {f"src/f{day}.py": "x = 1\n", "CHANGELOG.md": f"# Changelog\n\n## 1.{day}.0\n- Change {day}.\n" * 3})
        commit_all(repo, f"change {day}", date=f"2026-03-{day:02d}T00:00:00Z")
        if day % 4 == 0:
            git(repo, "tag", "-a", f"v1.{day}.0", "-m", "release", date=f"2026-03-{day + 1:02d}T00:00:00Z")
    policy = tmp_path / "delivery.yaml"
    policy.write_text(POLICY)
    code, report = scan_json(repo, "--policy", str(policy))
    REPORT_SCHEMA.validate(report)
    results = results_by_check(report)
    assert {check: r["status"] for check, r in results.items()} == {
        "ci.present": "pass", "ci.tests_on_pr": "pass", "ci.coverage_gate": "pass",
        "release.changelog": "pass", "delivery.release_cadence": "pass", "delivery.lead_time": "pass",
        "delivery.revert_rate": "pass"}, results
    assert results["ci.tests_on_pr"]["locations"] == [{"path": ".github/workflows/tests.yml", "line": 14}]
    assert "pytest" in results["ci.tests_on_pr"]["message"]
    assert code == 0


def test_delivery_checks_fail_and_skip_on_a_bare_repository(make_repo, tmp_path):
    repo = make_repo({"src/app.py": "x = 1\n"})
    policy = tmp_path / "delivery.yaml"
    policy.write_text(POLICY)
    code, report = scan_json(repo, "--policy", str(policy))
    results = results_by_check(report)
    assert results["ci.present"]["status"] == "fail"
    assert results["ci.tests_on_pr"]["status"] == "fail"
    assert results["delivery.release_cadence"]["status"] == "skip"
    assert results["delivery.revert_rate"]["status"] == "skip"
    assert code == 1
