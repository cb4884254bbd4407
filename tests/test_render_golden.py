"""Golden tests: a literal report in, exact text and markdown out.
Regenerate after an intended change with: UPDATE_GOLDEN=1 pytest tests/test_render_golden.py"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from standards_check.catalog import load_catalog
from standards_check.model import Location
from standards_check.render import render
from standards_check.report import WAIVER, Diff, Gate, Report, ReportWarning, Result, Waiver

GOLDEN = Path(__file__).parent / "golden"


def sample_report(with_diff: bool = False) -> Report:
    results = (
        Result("codeowners.coverage", "Every file has an owner", "ownership", "error", 3, 3, "fail", 0.82,
               "82% of tracked files have an owner (policy asks 90%)", (Location(".github/CODEOWNERS", 12),),
               "Add CODEOWNERS rules for the unowned directories."),
        Result("license.present", "A licence", "security", "warning", 1, 1, "fail", 0.0,
               "no LICENSE file at the root", (), "Add a LICENSE file."),
        Result("readme.present", "A README", "knowledge", "error", 2, 1, "pass", 1.0, "README.md (812 bytes)",
               (Location("README.md"),), "Add a README."),
        Result("slo.present", "SLOs", "reliability", "error", 2, 3, "waived", 0.0,
               "no SLO documents (waived until 2027-03-31: Batch job)", (), "Add SLOs.",
               Waiver("slo.present", "Batch job", "2027-03-31", "@acme/sre")),
        Result("delivery.lead_time", "Lead time", "delivery", "info", 1, 5, "skip", 0.0,
               "shallow clone: history is not available", (), "Fetch full history."),
        Result("adr.format", "ADRs", "knowledge", "error", 1, 4, "error", 0.0,
               "could not evaluate adr.format: ValueError: boom", (), "Fix ADRs."),
    )
    diff = Diff("main", 70.0, -3.5, ("license.present",), ("contributing.present",)) if with_diff else None
    return Report(
        repository={"name": "acme/payments", "path": "/src/payments", "ref": "HEAD",
                    "commit": "0123456789abcdef0123456789abcdef01234567"},
        policy={"name": "production-service", "version": "1.0.0"},
        score=66.5, level=2, level_name="Delivery", passed=False,
        gate=Gate(70, 2, False, ("score 66.5 is below the minimum 70",)),
        categories={"ownership": {"score": 82.0, "rules": 1, "failed": 1}, "knowledge": {"score": 66.7, "rules": 2, "failed": 1},
                    "delivery": {}, "reliability": {}, "security": {"score": 0.0, "rules": 1, "failed": 1}},
        results=results, diff=diff, warnings=(ReportWarning(WAIVER, "waiver for x.y matches no rule of policy production-service"),),
        tool={"name": "standards-check", "version": "0.1.0"},
        docs=load_catalog().docs(r.check for r in results),  # as the engine attaches them
    )


@pytest.mark.parametrize("fmt, name, diff", [("text", "report.txt", False), ("text", "report-diff.txt", True),
                                             ("markdown", "report.md", False)])
def test_golden(fmt, name, diff):
    out = render(sample_report(diff), fmt)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out)
    assert out == path.read_text()


def test_text_colour_only_when_asked():
    assert "\033[" not in render(sample_report(), "text")
    assert "\033[31m" in render(sample_report(), "text", color=True)
