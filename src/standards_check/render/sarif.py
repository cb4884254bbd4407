"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

- One rule per policy rule (check): short description (title), full description (what the check
  looks at), help (why it matters and how to fix it), `helpUri` (the catalog entry), default level
  from the rule's severity (error -> error, warning -> warning, info -> note).
- One result per failing location, at file and line. A finding about the repository as a whole
  (no file to point at, e.g. "no CODEOWNERS") is placed on the *anchor* file, see
  `placement.repository_anchor`: code scanning only shows results that sit in a file.
- `partialFingerprints["standardsCheck/v1"]` hashes (check, path, n-th finding of that check in that
  path), never a line number or message, so an alert survives edits that move lines or change the
  numbers in a message, and does not reappear as new on the next upload.
- Waived rules are reported with an external, accepted suppression (code scanning shows them as
  dismissed); skipped rules are not results.
- `artifactLocation.uri` is a relative URI reference: the path's bytes percent-encoded
  (`escape.uri_path`), so a space, `%`, `#` or a byte that is not UTF-8 in a file name stays a valid
  URI that decodes to the file. Message texts show control characters and undecodable bytes as
  visible escapes (`escape.printable`); `render_sarif` writes no lone surrogate (`escape.json_text`).
Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html ; GitHub's subset:
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""
from __future__ import annotations

import hashlib
from typing import Any

from standards_check.escape import json_text, printable, uri_path
from standards_check.links import check_doc_url, project_url
from standards_check.model import ERROR, FAIL, WAIVED, Location
from standards_check.placement import repository_anchor, split_locations
from standards_check.report import CheckDoc, Report, Result

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "standardsCheck/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(report: Report, *, color: bool = False) -> str:
    return json_text(sarif_log(report)) + "\n"


def sarif_log(report: Report) -> dict[str, Any]:
    anchor = repository_anchor(report)
    rules, index = _rules(report)
    results: list[dict[str, Any]] = []
    for result in report.results:
        if result.status in (FAIL, ERROR, WAIVED):
            results.extend(_results_for(result, index[result.check], anchor))
    policy = report.policy.get("name") or "policy"
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "standards-check",
            "version": report.tool.get("version", ""),
            "semanticVersion": report.tool.get("version", ""),
            "informationUri": project_url(),
            "rules": rules,
        }},
        # GitHub uses this as the analysis category: one per policy, so two policies do not
        # close each other's alerts.
        "automationDetails": {"id": f"standards-check/{policy}/"},
        "invocations": [_invocation(report)],
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root."}}},
        "results": results,
        "properties": {
            "score": report.score, "level": report.level, "passed": report.passed,
            "policy": dict(report.policy),
        },
    }
    if report.repository.get("commit"):
        run["properties"]["commit"] = report.repository["commit"]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for result in report.results:
        if result.check in index:
            continue
        index[result.check] = len(rules)
        rules.append(_rule(result, report.docs.get(result.check)))
    return rules, index


def _rule(result: Result, doc: CheckDoc | None) -> dict[str, Any]:
    what = _one_line(doc.what if doc else None) or result.title
    why = _one_line(doc.why if doc else None)
    fix = _one_line(doc.fix if doc else None) or result.remediation or "See the check's documentation."
    url = check_doc_url(result.check)
    help_text = (f"Why: {why}\n" if why else "") + f"How to fix: {fix}\nDocumentation: {url}"
    help_md = (f"**Why it matters.** {why}\n\n" if why else "") + f"**How to fix.** {fix}\n\n[Documentation]({url})"
    return {
        "id": result.check,
        "name": "".join(part.capitalize() for part in result.check.replace("_", ".").split(".")),
        "shortDescription": {"text": result.title},
        "fullDescription": {"text": what},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": url,
        "defaultConfiguration": {"level": _LEVELS.get(result.severity, "warning")},
        "properties": {
            "tags": ["standards-check", result.category],
            "category": result.category,
            "severity": result.severity,
            "weight": result.weight,
            "maturityLevel": result.level,
        },
    }


def _results_for(result: Result, rule_index: int, anchor: str) -> list[dict[str, Any]]:
    located, related = split_locations(result)
    targets: list[Location | None] = list(located) or [None]
    seen: dict[str, int] = {}
    out = []
    for loc in targets:
        path = loc.path if loc else anchor
        nth = seen.get(path, 0)
        seen[path] = nth + 1
        region = {"startLine": loc.line if loc and loc.line else 1}
        message = result.message if loc else f"{result.message} (applies to the whole repository)"
        if result.status == ERROR:
            message = f"Could not be evaluated: {message}"
        item: dict[str, Any] = {
            "ruleId": result.check,
            "ruleIndex": rule_index,
            "level": _LEVELS.get(result.severity, "warning"),
            "message": {"text": printable(message, lines=True)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri_path(path), "uriBaseId": "%SRCROOT%"},
                "region": region,
            }}],
            "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(result.check, path if loc else "", nth)},
            **({"relatedLocations": [
                {"id": i, "physicalLocation": {"artifactLocation": {"uri": uri_path(other.path), "uriBaseId": "%SRCROOT%"}}}
                for i, other in enumerate(related, start=1)]} if related else {}),
            "properties": {"status": result.status, "score": round(result.score, 4),
                           "repositoryLevel": loc is None},
        }
        if result.status == WAIVED and result.waiver:
            item["suppressions"] = [{
                "kind": "external", "status": "accepted",
                "justification": printable(f"{result.waiver.reason} (expires {result.waiver.expires or 'never'}"
                                           f", approved by {result.waiver.approved_by or 'unknown'})", lines=True),
            }]
        out.append(item)
    return out


def _fingerprint(check: str, path: str, nth: int) -> str:
    # surrogatepass: a name's undecodable bytes hash as stably as any other character
    return hashlib.sha256(f"{check}\0{path}\0{nth}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notes = [{"level": "warning", "message": {"text": printable(w.text, lines=True)}} for w in report.warnings]
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _one_line(text: Any) -> str:
    return " ".join(str(text).split()) if text else ""
