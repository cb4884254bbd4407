"""`--format codequality`: GitLab's Code Quality report, checked against the documented format."""
from __future__ import annotations

import json
from collections import Counter

import jsonschema

from tests.cli_helpers import run_cli

# GitLab's documented Code Quality report format, as a JSON schema:
# https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
# "The Code Quality report artifact must be a JSON array of objects with the following properties":
# description, check_name, fingerprint (a unique fingerprint to identify this specific code quality
# violation, such as a hash of its contents), severity (info, minor, major, critical, or blocker),
# location.path (the file containing the violation, relative to the repository root) and
# location.lines.begin (the line on which the violation occurred).
CODE_QUALITY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}

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
      - uses: docker/build-push-action@v6
      - run: make test
"""


def _report(repo) -> list[dict]:
    result = run_cli("scan", str(repo), "--format", "codequality")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_codequality_follows_gitlabs_documented_format(make_repo) -> None:
    repo = make_repo({"README.md": "# svc\n\n" + "What it does and how to run it.\n" * 5,
                      ".github/workflows/ci.yml": WORKFLOW, ".standards.yml": "policy: production-service@1\n"})
    issues = _report(repo)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert issues, "a repository without CODEOWNERS, runbooks or SLOs has findings"
    where = {(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues}
    assert ("workflows.pinned_actions", ".github/workflows/ci.yml", 9) in where
    assert ("contributing.present", ".standards.yml", 1) in where  # repository-level: on the anchor
    fingerprints = Counter(i["fingerprint"] for i in issues)
    assert max(fingerprints.values()) == 1, "a fingerprint is unique per issue"
    assert {i["severity"] for i in issues} <= {"major", "minor", "info"}


def test_codequality_fingerprints_are_stable_when_lines_move(make_repo) -> None:
    files = {"README.md": "# svc\n\n" + "What it does and how to run it.\n" * 5,
             ".github/workflows/ci.yml": WORKFLOW, ".standards.yml": "policy: production-service@1\n"}
    first = _report(make_repo(files))
    again = _report(make_repo(files))
    assert [i["fingerprint"] for i in first] == [i["fingerprint"] for i in again]
    moved = _report(make_repo({**files, ".github/workflows/ci.yml": "# a comment\n" + WORKFLOW}))
    by_fp = {i["fingerprint"]: i for i in moved}
    for issue in first:
        assert issue["fingerprint"] in by_fp
        if issue["location"]["path"] == ".github/workflows/ci.yml":
            assert by_fp[issue["fingerprint"]]["location"]["lines"]["begin"] == issue["location"]["lines"]["begin"] + 1


def test_codequality_of_a_passing_repository_is_an_empty_array(make_repo) -> None:
    repo = make_repo({"README.md": "# lib\n\n" + "What it does and how to use it.\n" * 5,
                      ".standards.yml": "policy: baseline\n"})
    result = run_cli("scan", str(repo), "--format", "codequality")
    issues = json.loads(result.stdout)
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert len(issues) == sum(1 for r in json.loads(run_cli("scan", str(repo), "--format", "json").stdout)["results"]
                              if r["status"] in ("fail", "error"))
