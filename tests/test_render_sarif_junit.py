"""SARIF and JUnit renderers: literal Reports in, checked against the official SARIF schema and parsed back."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from standards_check.model import Location
from standards_check.report import DIFF_SKIPPED, ReportWarning
from standards_check.render.junit import render_junit
from standards_check.placement import DEFAULT_ANCHOR
from standards_check.render.sarif import FINGERPRINT_KEY, render_sarif, sarif_log
from standards_check.engine import scan_path
from tests.action_support import result, sample_report


@pytest.fixture
def sarif_validator(shared_schemas: Path) -> jsonschema.Draft4Validator:
    schema = json.loads((shared_schemas / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


def _results(log: dict) -> list[dict]:
    return log["runs"][0]["results"]


def test_sarif_validates_against_the_oasis_schema(sarif_validator) -> None:
    document = json.loads(render_sarif(sample_report(warnings=(ReportWarning(DIFF_SKIPPED, "base not found"),))))
    errors = sorted(sarif_validator.iter_errors(document), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])


def test_sarif_has_one_rule_per_check_with_docs_and_fix() -> None:
    log = sarif_log(sample_report())
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "readme.present", "codeowners.present", "workflows.pinned_actions", "slo.present",
        "runbook.present", "adr.format"]
    readme = rules[0]
    assert readme["shortDescription"]["text"] == "Title of readme.present"
    assert "README" in readme["fullDescription"]["text"]  # from checks/readme.present.yaml
    assert "How to fix:" in readme["help"]["text"] and "Add a README.md" in readme["help"]["text"]
    assert readme["helpUri"].endswith("/checks/readme.present.yaml")
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert levels["codeowners.present"] == "error"
    assert levels["workflows.pinned_actions"] == "warning"
    assert levels["adr.format"] == "note"


def test_results_sit_at_file_and_line_and_repository_findings_on_the_anchor() -> None:
    log = sarif_log(sample_report())
    where = [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in _results(log)]
    assert ("workflows.pinned_actions", ".github/workflows/ci.yml", 12) in where
    assert ("workflows.pinned_actions", ".github/workflows/ci.yml", 30) in where
    assert ("workflows.pinned_actions", ".github/workflows/release.yml", 8) in where
    # No location: the README the readme.present check found is the anchor.
    assert ("codeowners.present", "README.md", 1) in where
    # Passing and skipped rules are not results.
    assert not {"readme.present", "slo.present"} & {w[0] for w in where}
    errored = next(r for r in _results(log) if r["ruleId"] == "adr.format")
    assert errored["message"]["text"].startswith("Could not be evaluated")


def _anchor_uris(report) -> set[str]:
    return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in _results(sarif_log(report)) if r["ruleId"] == "codeowners.present"}


def test_anchor_prefers_the_repository_config(make_repo) -> None:
    named = replace(sample_report(), anchor=".github/standards.yml")
    assert _anchor_uris(named) == {".github/standards.yml"}
    # The engine records the config it read; the renderer never looks at the disk.
    repo = make_repo({".github/.standards.yaml": "policy: baseline\n", "README.md": "# r\n"})
    scanned = scan_path(repo)
    assert scanned.anchor == ".github/.standards.yaml"
    log = sarif_log(scanned)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in _results(log) if r["properties"]["repositoryLevel"]}
    assert uris == {".github/.standards.yaml"}
    (repo / ".github/.standards.yaml").unlink()  # gone after the scan: the report still says where
    assert sarif_log(scanned) == log
    assert _anchor_uris(sample_report()) == {"README.md"}  # the README readme.present found
    assert _anchor_uris(replace(sample_report(), anchor="/etc/passwd")) == {"README.md"}  # not repository-relative


def test_anchor_falls_back_to_a_stable_path() -> None:
    report = replace(sample_report(), results=(result("codeowners.present", "fail"),))
    [only] = _results(sarif_log(report))
    assert only["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == DEFAULT_ANCHOR


def test_fingerprints_survive_moved_lines_and_changed_messages() -> None:
    before = sample_report()
    moved = replace(before, results=tuple(
        replace(r, locations=tuple(Location(l.path, (l.line or 0) + 7) for l in r.locations),
                message=r.message.replace("2 actions", "3 actions"))
        for r in before.results))
    prints_before = [r["partialFingerprints"][FINGERPRINT_KEY] for r in _results(sarif_log(before))]
    prints_after = [r["partialFingerprints"][FINGERPRINT_KEY] for r in _results(sarif_log(moved))]
    assert prints_before == prints_after
    assert len(set(prints_before)) == len(prints_before)  # distinct alerts stay distinct


def test_waived_rule_is_a_suppressed_result() -> None:
    waived = next(r for r in _results(sarif_log(sample_report())) if r["ruleId"] == "runbook.present")
    assert waived["suppressions"][0]["kind"] == "external"
    assert "Batch job" in waived["suppressions"][0]["justification"]


def test_junit_one_testcase_per_rule_parsed_back() -> None:
    xml = render_junit(sample_report())
    root = ET.fromstring(xml.encode())
    suite = root.find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["readme.present", "codeowners.present", "workflows.pinned_actions",
                           "slo.present", "runbook.present", "adr.format"]
    assert cases["readme.present"].find("failure") is None
    failure = cases["workflows.pinned_actions"].find("failure")
    assert failure is not None and failure.get("type") == "warning"
    assert ".github/workflows/release.yml:8" in (failure.text or "")
    assert cases["adr.format"].find("error") is not None
    assert "\x01" not in cases["adr.format"].find("error").get("message")
    assert cases["slo.present"].find("skipped") is not None
    assert cases["runbook.present"].find("skipped").get("message") == "waived: Batch job"
    assert cases["codeowners.present"].get("classname") == "standards-check.ownership"
    for node in (root, suite):
        assert (node.get("tests"), node.get("failures"), node.get("errors"), node.get("skipped")) == ("6", "2", "1", "2")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["score"] == "61.5" and props["passed"] == "false"


WORKFLOW = """\
name: ci
on: [push]
permissions: {contents: read}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
      - run: make test
"""


def test_cli_sarif_and_junit_on_a_real_repository(make_repo, sarif_validator) -> None:
    from tests.cli_helpers import run_cli

    repo = make_repo({"README.md": "# svc\n\n" + "What it does and how to run it.\n" * 5,
                      ".github/workflows/ci.yml": WORKFLOW, ".standards.yml": "policy: production-service@1\n"})
    result = run_cli("scan", str(repo), "--format", "sarif")
    assert result.exit_code in (0, 1), result.output
    log = json.loads(result.stdout)
    assert not list(sarif_validator.iter_errors(log))
    where = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in _results(log)}
    assert ("workflows.pinned_actions", ".github/workflows/ci.yml", 9) in where
    assert ("contributing.present", ".standards.yml", 1) in where  # the repository config is the anchor
    # File-level evidence without lines ("looked in .github/, the root, docs/") is one alert.
    [codeowners] = [r for r in _results(log) if r["ruleId"] == "codeowners.present"]
    assert len(codeowners["relatedLocations"]) == 2
    rule_ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) and "workflows.pinned_actions" in rule_ids
    junit = run_cli("scan", str(repo), "--format", "junit")
    cases = ET.fromstring(junit.stdout.encode()).find("testsuite").findall("testcase")
    assert sorted(c.get("name") for c in cases) == sorted(rule_ids)
