"""End to end through the CLI: decision records, runbooks, on-call and ownership in one JSON report."""
from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from standards_check.resources import schema_path
from tests.checkrun import days_ago
from tests.cli_helpers import results_by_check, scan_json
from tests.test_adr import nygard
from tests.test_catalog_oncall import COMPONENT
from tests.test_runbooks import FULL, OPENSHIFT

REPORT_SCHEMA = Draft202012Validator(json.loads(schema_path("report.schema.json").read_text()))

POLICY = """\
apiVersion: standards-check/v1
kind: Policy
metadata: {name: ops, version: 1.0.0}
gate: {min_score: 50, min_level: 0}
rules:
  - {check: adr.present, level: 4}
  - {check: adr.format, level: 4}
  - {check: adr.fresh, level: 5, params: {max_age_days: 90}}
  - {check: runbook.present, level: 3}
  - {check: runbook.sections, level: 3}
  - {check: runbook.fresh, level: 5}
  - {check: oncall.defined, level: 3}
  - {check: incident.postmortem_template, level: 3}
  - {check: catalog.owner, level: 1}
"""


def test_scan_reports_knowledge_and_operations(make_repo, tmp_path):
    repo = make_repo({
        "docs/adr/0001-record-architecture-decisions.md": nygard(1, "Record architecture decisions"),
        "docs/adr/0002-use-postgres.md": nygard(2, "Use Postgres", "Superseded by [9. X](0009-x.md)"),
        "docs/runbooks/payments.md": FULL,
        "docs/runbooks/crash.md": OPENSHIFT,
        "catalog-info.yaml": COMPONENT,
    }, date=days_ago(200))
    policy = tmp_path / "ops.yaml"
    policy.write_text(POLICY)
    code, report = scan_json(repo, "--policy", str(policy))
    REPORT_SCHEMA.validate(report)
    results = results_by_check(report)
    status = {check: result["status"] for check, result in results.items()}
    assert status == {
        "adr.present": "pass", "adr.format": "fail", "adr.fresh": "fail", "runbook.present": "pass",
        "runbook.sections": "fail", "runbook.fresh": "pass", "oncall.defined": "pass",
        "incident.postmortem_template": "fail", "catalog.owner": "pass",
    }
    assert results["adr.format"]["score"] == 0.5
    assert results["adr.format"]["locations"] == [{"path": "docs/adr/0002-use-postgres.md", "line": 7}]
    assert "which does not exist" in results["adr.format"]["message"]
    assert results["runbook.sections"]["locations"] == [{"path": "docs/runbooks/crash.md", "line": 1}]
    assert results["catalog.owner"]["category"] == "ownership"
    assert report["categories"]["reliability"]["rules"] == 5
    assert code == 0
