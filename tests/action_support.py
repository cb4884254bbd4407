"""Literal Reports for the renderer and publisher tests (no engine needed)."""
from __future__ import annotations

from standards_check.catalog import load_catalog
from standards_check.model import Location
from standards_check.report import Diff, Gate, Report, ReportWarning, Result, Waiver


def result(check: str, status: str, message: str = "", *locations: Location, severity: str = "error",
           category: str = "knowledge", score: float | None = None, waiver: Waiver | None = None) -> Result:
    return Result(
        check=check, title=f"Title of {check}", category=category, severity=severity, weight=1,
        level=1, status=status, score=score if score is not None else (1.0 if status == "pass" else 0.0),
        message=message or f"{check} is {status}", locations=tuple(locations),
        remediation=f"Fix {check}.", waiver=waiver,
    )


def sample_report(diff: Diff | None = None, passed: bool = False, warnings: tuple[ReportWarning, ...] = ()) -> Report:
    results = (
        result("readme.present", "pass", "README.md has 2,000 bytes", Location("README.md")),
        result("codeowners.present", "fail", "No CODEOWNERS file in .github/, docs/ or the root",
               category="ownership"),
        result("workflows.pinned_actions", "fail", "2 actions are not pinned to a commit SHA",
               Location(".github/workflows/ci.yml", 12), Location(".github/workflows/ci.yml", 30),
               Location(".github/workflows/release.yml", 8), category="security", severity="warning"),
        result("slo.present", "skip", "Not a service: no deployment manifests", category="reliability"),
        result("runbook.present", "waived", "No runbook", category="reliability",
               waiver=Waiver("runbook.present", "Batch job", "2027-03-31", "@acme/sre")),
        result("adr.format", "error", "docs/adr/0001.md could not be parsed: bad front matter\x01",
               Location("docs/adr/0001.md", 3), severity="info"),
    )
    return Report(
        repository={"name": "acme/payments", "path": "/src/payments", "ref": "HEAD", "commit": "a" * 40},
        policy={"name": "baseline", "version": "1.0.0"},
        score=61.5, level=1, level_name="Foundations", passed=passed,
        gate=Gate(70, 2, False, () if passed else ("score 61.5 is below 70",)),
        categories={"knowledge": {"score": 50.0}},
        results=results, diff=diff, warnings=warnings,
        docs=load_catalog().docs(r.check for r in results),  # as the engine attaches them
    )
