"""The words posted to GitHub: the PR comment, the check run summary, the status line, findings.

Text from the repository (messages, paths) goes through `standards_check.escape`, as in
`--format markdown`: one line, no HTML, links or images, and `@` defused so a message quoting a
team (`@acme/sre`) does not notify it from every pull request. Findings (annotations, workflow
commands) are plain text for a person: `escape.printable`.
"""
from __future__ import annotations

from dataclasses import dataclass

from standards_check.escape import markdown_code, printable
from standards_check.escape import markdown_inline as _md
from standards_check.links import check_doc_url
from standards_check.model import ERROR
from standards_check.placement import repository_anchor, split_locations
from standards_check.report import Report, Result

_ICON = {True: "✅", False: "❌"}
_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    """One place to annotate: a failing rule at a file and line."""

    check: str
    severity: str
    path: str
    line: int
    title: str
    message: str


def findings(report: Report) -> list[Finding]:
    """Every failing location, most severe first; repository-level findings on the anchor file."""
    anchor = repository_anchor(report)
    out: list[Finding] = []
    for result in sorted(report.failures, key=lambda r: _ORDER.get(r.severity, 3)):
        prefix = "Could not be evaluated: " if result.status == ERROR else ""
        title = printable(f"{result.check}: {result.title}")
        message = printable(f"{prefix}{result.message}")
        if result.remediation:
            message += "\nHow to fix: " + printable(result.remediation)
        located, _related = split_locations(result)
        if not located:
            out.append(Finding(result.check, result.severity, printable(anchor), 1, title,
                               message + "\n(This applies to the whole repository.)"))
        for loc in located:
            out.append(Finding(result.check, result.severity, printable(loc.path), loc.line or 1, title, message))
    return out


def headline(report: Report) -> str:
    policy = report.policy.get("name", "policy")
    if report.policy.get("version"):
        policy += f"@{report.policy['version']}"
    verdict = "gate passed" if report.passed else "gate failed"
    return f"standards-check · {policy} · {_ICON[report.passed]} {verdict}"


def score_line(report: Report) -> str:
    level = f"level {report.level}" + (f" ({_md(report.level_name)})" if report.level_name else "")
    line = f"**Score {report.score:g}**, {level}"
    if report.diff:
        d = report.diff
        arrow = "▲" if d.score_delta > 0 else "▼" if d.score_delta < 0 else "="
        base = markdown_code(d.base_ref)
        if d.base_commit and not d.base_commit.startswith(d.base_ref):
            base += f" ({d.base_commit[:7]})"
        line += f" · {arrow} {d.score_delta:+g} from {base}, which scored {d.base_score:g}"
    return line


def nothing_changed(report: Report) -> bool:
    d = report.diff
    return bool(d) and not d.new_failures and not d.fixed and abs(d.score_delta) < 0.05  # type: ignore[union-attr]


def comment_body(report: Report, *, run_url: str | None = None) -> str:
    """The sticky PR comment: what the change did; a short body when nothing changed."""
    lines = [f"### {headline(report)}", "", score_line(report), ""]
    failing = report.failures
    if nothing_changed(report):
        lines.append(f"No change from the base: {len(failing)} rule(s) failing, as before.")
        lines += [""] + _time_lines(report) if _time_lines(report) else []
    else:
        lines += _diff_section(report)
        if failing:
            lines += ["<details><summary>All failing rules "
                      f"({len(failing)})</summary>", "", *_table(failing), "", "</details>", ""]
    lines += _gate_and_warnings(report)
    lines += ["", _footer(report, run_url)]
    return "\n".join(lines).rstrip() + "\n"


def summary_markdown(report: Report, *, run_url: str | None = None) -> str:
    """The job summary: the comment's content, with every rule listed."""
    lines = [f"## {headline(report)}", "", score_line(report), ""]
    lines += _diff_section(report)
    if report.failures:
        lines += [f"#### Failing rules ({len(report.failures)})", "", *_table(report.failures), ""]
    passing = [r for r in report.results if not r.is_failure]
    if passing:
        lines += ["<details><summary>Other rules "
                  f"({len(passing)})</summary>", "", "| Rule | Status | Result |", "| --- | --- | --- |"]
        lines += [f"| [`{r.check}`]({check_doc_url(r.check)}) | {r.status} | {_md(r.message)} |" for r in passing]
        lines += ["", "</details>", ""]
    lines += _gate_and_warnings(report)
    lines += ["", _footer(report, run_url)]
    return "\n".join(lines).rstrip() + "\n"


def check_title(report: Report) -> str:
    title = f"Score {report.score:g}, level {report.level}"
    if report.diff:
        title += f" ({report.diff.score_delta:+g}; {len(report.diff.new_failures)} new failures)"
    return title


def status_description(report: Report) -> str:
    text = f"Score {report.score:g}, level {report.level}: gate {'passed' if report.passed else 'failed'}"
    if report.diff:
        text += f", {len(report.diff.new_failures)} new failures"
    return text


def _diff_section(report: Report) -> list[str]:
    d = report.diff
    if not d:
        return []
    by_check = {r.check: r for r in report.results}
    lines: list[str] = []
    if d.new_failures:
        lines += [f"#### New failures ({len(d.new_failures)})", ""]
        lines += _table([by_check[c] for c in d.new_failures if c in by_check])
        lines.append("")
    if d.fixed:
        lines += [f"#### Fixed ({len(d.fixed)})", "",
                  ", ".join(f"[`{c}`]({check_doc_url(c)})" for c in d.fixed), ""]
    if not d.new_failures and not d.fixed:
        lines += ["No rule changed status.", ""]
    return lines + _time_lines(report)


def _time_lines(report: Report) -> list[str]:
    d = report.diff
    if not d or not d.changed_with_time:
        return []
    return ["Changed with time, not by this change: "
            + ", ".join(f"[`{c}`]({check_doc_url(c)})" for c in d.changed_with_time)
            + " (these read dates or git history; they never count as new failures).", ""]


def _table(results: list[Result]) -> list[str]:
    rows = ["| Rule | Severity | What was found | Where |", "| --- | --- | --- | --- |"]
    for r in sorted(results, key=lambda r: (_ORDER.get(r.severity, 3), r.check)):
        where = ", ".join(markdown_code(str(loc)) for loc in r.locations[:3])
        if len(r.locations) > 3:
            where += f" and {len(r.locations) - 3} more"
        status = " (not evaluated)" if r.status == ERROR else ""
        rows.append(f"| [`{r.check}`]({check_doc_url(r.check)}) | {r.severity}{status} | "
                    f"{_md(r.message)} | {where or 'repository'} |")
    return rows


def _gate_and_warnings(report: Report) -> list[str]:
    from standards_check.render.common import expiring_line

    lines: list[str] = []
    if report.gate.reasons:
        lines += ["**Gate:** " + "; ".join(_md(r) for r in report.gate.reasons)]
    if report.upcoming:
        lines += ["**Upcoming** (not gated yet): " + "; ".join(
            f"`{r.check}` required from {r.effective}" for r in report.upcoming)]
    if report.expiring_waivers:
        lines += ["**Expiring waivers:** " + "; ".join(_md(expiring_line(w)) for w in report.expiring_waivers)]
    for warning in report.warnings:
        lines.append(f"> [!WARNING]\n> {_md(warning.text)}")
    return lines


def _footer(report: Report, run_url: str | None) -> str:
    commit = (report.repository.get("commit") or "")[:12]
    parts = [f"standards-check {report.tool.get('version', '')}"]
    if commit:
        parts.append(f"commit {commit}")
    if run_url:
        parts.append(f"[run]({run_url})")
    return "<sub>" + " · ".join(parts) + "</sub>"


__all__ = ["Finding", "findings", "comment_body", "summary_markdown", "check_title",
           "status_description", "headline"]
