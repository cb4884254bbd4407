"""One repository's report as a self-contained HTML page (`scan --format html`).

The page shows the score, level and gate, every failure with where it is, why it matters and how
to fix it, what to improve, rules not yet in force, waivers, and the passes. Like the sweep's
scorecard it is a Jinja2 template with autoescaping on (repository names, paths, messages and owners
are untrusted text); every string of the report is first made `escape.printable`, so a control
character or an undecodable byte shows as a visible escape. The page loads nothing: no script, no
external stylesheet, font or image.
"""
from __future__ import annotations

from typing import Any

from standards_check.escape import map_strings, printable
from standards_check.links import check_doc_url
from standards_check.model import ERROR, PASS, SKIP, WAIVED
from standards_check.render.common import (counts, diff_line, explain_command, failures_first, gate_label, grade, heat,
                                           level_label, tally_line, to_improve, upcoming_line)
from standards_check.render.page import environment
from standards_check.report import CATEGORIES, Report, Result


def render_html(report: Report, *, color: bool = False) -> str:
    report = map_strings(report, lambda s: printable(s, lines=True))
    docs = report.docs

    def item(result: Result) -> dict[str, Any]:
        doc = docs.get(result.check)
        return {
            "result": result,
            "where": [f"{loc.path}:{loc.line}" if loc.line else loc.path for loc in result.locations if loc.path],
            "why": " ".join(doc.why.split()) if doc else "",
            "fix": " ".join(result.remediation.split()),
            "explain": explain_command(report, result),
            "doc_url": check_doc_url(result.check) if doc else None,
            "evaluated": result.status != ERROR,
        }

    passes = [r for r in report.results if r.status == PASS and not r.to_improve]
    return environment().get_template("report.html.j2").render(
        report=report, repo=report.repository, policy=report.policy,
        level=level_label(report), gate=gate_label(report), tally=tally_line(report), counts=counts(report),
        change=diff_line(report),
        failures=[item(r) for r in failures_first(report)],
        improve=[item(r) for r in to_improve(report)],
        upcoming=[(r, upcoming_line(r)) for r in report.upcoming],
        waived=report.by_status(WAIVED), skipped=report.by_status(SKIP), passes=passes,
        categories=[(c, report.categories.get(c) or {}) for c in CATEGORIES],
        grade=grade, heat=heat,
    )
