"""Markdown for pull-request comments and job summaries (GitHub-flavoured).

Every string that is not our own goes through `standards_check.escape` (as in the PR comment and
job summary): no HTML, links, images or @-mentions from a repository reach the Markdown."""
from __future__ import annotations

from standards_check.escape import markdown_code as _code
from standards_check.escape import markdown_inline as _cell
from standards_check.model import PASS, SKIP, WAIVED
from standards_check.render.common import (diff_line, expiring_line, failures_first, fix_text, gate_label,
                                           level_label, tally_line, to_improve, upcoming_line)
from standards_check.report import CATEGORIES, Report


def render_markdown(report: Report, *, color: bool = False) -> str:
    repo = report.repository
    icon = "✅" if report.passed else "❌"
    lines = [
        f"## {icon} standards-check: {report.score:g}/100, level {_cell(level_label(report))}",
        "",
        f"**{_cell(repo['name'])}** against policy **{_cell(report.policy['name'])} "
        f"{_cell(report.policy['version'])}** — gate {_cell(gate_label(report))}.",
    ]
    delta = diff_line(report)
    if delta:
        lines += ["", f"**Change:** {_cell(delta)}"]
    lines += ["", "| Category | Score | Rules | Failing |", "| --- | ---: | ---: | ---: |"]
    for name in CATEGORIES:
        cat = report.categories.get(name) or {}
        if cat:
            lines.append(f"| {name} | {cat['score']:g} | {cat['rules']} | {cat['failed']} |")
        else:
            lines.append(f"| {name} | – | 0 | 0 |")
    failing = failures_first(report)
    if failing:
        lines += ["", "### Failing", "", "| Check | Severity | Level | Finding | Where | How to fix |",
                  "| --- | --- | ---: | --- | --- | --- |"]
        for r in failing:
            where = "<br>".join(_code(str(loc)) for loc in r.locations[:3]) or "–"
            fix = _cell(fix_text(report, r)) if r.status == "fail" else "could not be evaluated"
            lines.append(f"| `{r.check}` | {r.severity} | {r.level} | {_cell(r.message)} | {where} | {fix} |")
    improve = to_improve(report)
    if improve:
        lines += ["", "### In place, to improve", "", "| Check | Level | Finding | How to fix |", "| --- | ---: | --- | --- |"]
        lines += [f"| `{r.check}` | {r.level} | {_cell(r.message)} | {_cell(fix_text(report, r))} |" for r in improve]
    if report.upcoming:
        lines += ["", "### Upcoming (not gated yet)", "", "| Check | Level | Required from | Finding |",
                  "| --- | ---: | --- | --- |"]
        for r in report.upcoming:
            lines.append(f"| `{r.check}` | {r.level} | {r.effective} | {_cell(upcoming_line(r))} |")
    if report.expiring_waivers:
        lines += [""] + [f"- ⏳ {_cell(expiring_line(w))}" for w in report.expiring_waivers]
    passed = [r for r in report.results if r.status in (PASS, WAIVED, SKIP)]
    if passed:
        lines += ["", f"<details><summary>{len(passed)} passing, waived or skipped</summary>", ""]
        for r in passed:
            lines.append(f"- {r.status}: `{r.check}` — {_cell(r.message)}")
        lines += ["", "</details>"]
    if report.warnings:
        lines += [""] + [f"> ⚠️ {_cell(w.text)}" for w in report.warnings]
    lines += ["", f"<sub>{tally_line(report, ' · ')}</sub>"]
    return "\n".join(lines) + "\n"
