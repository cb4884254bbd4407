"""JUnit XML for CI systems that read test reports (GitLab, Jenkins, Azure Pipelines, ...).

One `<testcase>` per policy rule: `classname` is `standards-check.<category>`, `name` the check ID.
A failing rule is a `<failure>` (type = its severity), a rule that could not be evaluated an
`<error>`, a rule that does not apply or is waived `<skipped>`. The suite's `<properties>` carry the
score, level and gate, so the report stands on its own. The shape follows the de-facto schema
(Ant/Surefire, as read by Jenkins' JUnit plugin and GitLab):
https://github.com/windyroad/JUnit-Schema/blob/master/JUnit.xsd
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from standards_check.escape import printable
from standards_check.links import check_doc_url
from standards_check.model import ERROR, FAIL, SKIP, UPCOMING, WAIVED
from standards_check.report import Report, Result

def render_junit(report: Report, *, color: bool = False) -> str:
    policy = report.policy.get("name", "policy")
    version = report.policy.get("version")
    suite_name = f"standards-check: {policy}" + (f"@{version}" if version else "")
    counts = {
        "tests": len(report.results),
        "failures": len(report.by_status(FAIL)),
        "errors": len(report.by_status(ERROR)),
        "skipped": len(report.by_status(SKIP, WAIVED, UPCOMING)),
    }
    root = ET.Element("testsuites", _attrs(name="standards-check", time="0", **counts))
    suite = ET.SubElement(root, "testsuite", _attrs(
        name=suite_name, hostname=str(report.repository.get("name", "")), time="0", **counts))
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("repository", report.repository.get("name")), ("commit", report.repository.get("commit")),
        ("ref", report.repository.get("ref")), ("score", report.score), ("level", report.level),
        ("passed", str(report.passed).lower()),
        ("gate.reasons", "; ".join(report.gate.reasons)),
    ):
        if value not in (None, ""):
            ET.SubElement(props, "property", _attrs(name=key, value=str(value)))
    for result in report.results:
        _testcase(suite, result)
    if report.warnings:
        ET.SubElement(suite, "system-err").text = _clean("\n".join(w.text for w in report.warnings))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, result: Result) -> None:
    case = ET.SubElement(suite, "testcase", _attrs(
        classname=f"standards-check.{result.category}", name=result.check, time="0"))
    if result.status == FAIL:
        ET.SubElement(case, "failure", _attrs(message=result.message, type=result.severity)).text = _details(result)
    elif result.status == ERROR:
        ET.SubElement(case, "error", _attrs(message=result.message, type="evaluation-error")).text = _details(result)
    elif result.status == SKIP:
        ET.SubElement(case, "skipped", _attrs(message=result.message))
    elif result.status == WAIVED:
        reason = result.waiver.reason if result.waiver else result.message
        ET.SubElement(case, "skipped", _attrs(message=f"waived: {reason}"))
    elif result.status == UPCOMING:
        ET.SubElement(case, "skipped", _attrs(message=f"required from {result.effective}: {result.message}"))
    else:
        ET.SubElement(case, "system-out").text = _clean(result.message)


def _details(result: Result) -> str:
    lines = [f"{result.title}: {result.message}"]
    lines += [f"  at {loc}" for loc in result.locations]
    if result.remediation:
        lines.append(f"How to fix: {result.remediation}")
    lines.append(f"Documentation: {check_doc_url(result.check)}")
    return _clean("\n".join(lines))


def _attrs(**values: object) -> dict[str, str]:
    return {key: _clean(str(value)) for key, value in values.items()}


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped, nor lone surrogates; CI pages
    show these texts to a person. `printable` shows all of them (and C1, bidi controls, undecodable
    bytes of file names) as visible escapes, keeping line breaks."""
    return printable(text, lines=True)
