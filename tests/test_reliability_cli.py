"""End to end through the CLI: SLO and alert checks in a JSON report."""
from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from standards_check.resources import schema_path
from tests.cli_helpers import results_by_check, scan_json
from tests.test_alerts import RULE_FILE
from tests.test_slo import OPENSLO_V1, SLOTH_V1

POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: ops, version: 1.0.0}
gate: {min_score: 50, min_level: 0}
rules:
  - {check: slo.present, level: 3}
  - {check: slo.valid, level: 3}
  - {check: alerts.runbook_links, level: 3, params: {also_accept: []}}
"""


def test_scan_reports_slo_and_alert_results_with_locations(make_repo, tmp_path):
    repo = make_repo({
        "slos/checkout.yaml": OPENSLO_V1.replace("target: 0.999", "target: 1.5"),
        "sloth/checkout.yaml": SLOTH_V1,
        "prometheus/alerts.yaml": RULE_FILE,
    })
    policy = tmp_path / "ops.yaml"
    policy.write_text(POLICY)
    code, report = scan_json(repo, "--policy", str(policy))
    Draft202012Validator(json.loads(schema_path("report.schema.json").read_text())).validate(report)
    results = results_by_check(report)
    assert results["slo.present"]["status"] == "pass"
    assert (results["slo.valid"]["status"], results["slo.valid"]["score"]) == ("fail", 0.6667)
    assert results["slo.valid"]["locations"] == [{"path": "slos/checkout.yaml", "line": 30}]
    runbooks = results["alerts.runbook_links"]
    assert (runbooks["status"], round(runbooks["score"], 3)) == ("fail", 0.333)
    assert runbooks["locations"] == [{"path": "prometheus/alerts.yaml", "line": 12},
                                     {"path": "prometheus/alerts.yaml", "line": 18}]
    assert report["categories"]["reliability"]["rules"] == 3


def test_scan_of_a_library_skips_what_does_not_apply(make_repo, tmp_path):
    repo = make_repo({"README.md": "# lib\n", "pyproject.toml": "[project]\nname='lib'\n"})
    policy = tmp_path / "ops.yaml"
    policy.write_text(POLICY)
    _, report = scan_json(repo, "--policy", str(policy))
    results = results_by_check(report)
    assert results["slo.present"]["status"] == "fail"
    assert results["slo.valid"]["status"] == "skip"
    assert results["alerts.runbook_links"]["status"] == "skip"
