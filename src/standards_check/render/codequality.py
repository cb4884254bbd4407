"""GitLab Code Quality: the JSON report a CI job uploads as `artifacts: reports: codequality`, shown
in the merge request widget and the diff.

The documented format (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format)
is a JSON array of issues, each with `description`, `check_name`, `fingerprint` (unique per issue,
stable across runs: GitLab compares the fingerprints of the base and head reports to show what is
new and what was fixed), `severity` (info | minor | major | critical | blocker), `location.path`
(relative to the repository root) and `location.lines.begin`.

- One issue per failing location (a rule that failed or could not be evaluated; waived and
  skipped rules are not issues). A finding about the repository as a whole sits on the anchor
  file (`placement.repository_anchor`), as in SARIF, so the widget can place it.
- The fingerprint hashes (policy, check, path, n-th finding of that check in that path), never a
  line number or a message: a finding keeps its fingerprint when lines move, and two policies
  reported in one pipeline do not collide.
- Severities: error -> major, warning -> minor, info -> info.
"""
from __future__ import annotations

import hashlib
from typing import Any

from standards_check.escape import json_text, printable
from standards_check.model import ERROR, Location
from standards_check.placement import repository_anchor, split_locations
from standards_check.report import Report

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render_codequality(report: Report, *, color: bool = False) -> str:
    return json_text(codequality_issues(report)) + "\n"


def codequality_issues(report: Report) -> list[dict[str, Any]]:
    anchor = repository_anchor(report)
    policy = str(report.policy.get("name") or "policy")
    issues: list[dict[str, Any]] = []
    for result in report.failures:
        located, _related = split_locations(result)
        seen: dict[str, int] = {}
        targets: list[Location | None] = list(located) or [None]
        for loc in targets:
            path = loc.path if loc else anchor
            nth = seen.get(path, 0)
            seen[path] = nth + 1
            message = result.message if loc else f"{result.message} (applies to the whole repository)"
            if result.status == ERROR:
                message = f"Could not be evaluated: {message}"
            issues.append({
                "description": printable(f"{result.check}: {message}"),
                "check_name": result.check,
                "fingerprint": fingerprint(policy, result.check, path if loc else "", nth),
                "severity": SEVERITIES.get(result.severity, "minor"),
                "location": {"path": path, "lines": {"begin": loc.line if loc and loc.line else 1}},
            })
    return issues


def fingerprint(policy: str, check: str, path: str, nth: int) -> str:
    # surrogatepass: a name's undecodable bytes hash as stably as any other character
    text = f"standards-check\0{policy}\0{check}\0{path}\0{nth}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
