"""Text for a person at a terminal: score, level and gate first, then each failure with where and how
to fix it, then a one-line tally. Colour only when asked (the CLI asks on a TTY without NO_COLOR).

Every string of the report is made `escape.printable` first: a file name, owner or waiver reason
from the repository cannot move the cursor, recolour, write the clipboard or forge a line."""
from __future__ import annotations

import textwrap

from standards_check.escape import map_strings, printable
from standards_check.model import ERROR, FAIL, SKIP, WAIVED
from standards_check.render.common import (diff_line, expiring_line, explain_command, failures_first, gate_label,
                                           level_label, tally_line, to_improve, upcoming_line)
from standards_check.report import Report, Result

_COLORS = {"red": "31", "green": "32", "yellow": "33", "dim": "2", "bold": "1"}


def render_text(report: Report, *, color: bool = False) -> str:
    def paint(text: str, name: str) -> str:
        return f"\033[{_COLORS[name]}m{text}\033[0m" if color else text

    report = map_strings(report, printable)
    repo = report.repository
    commit = f" {repo['commit'][:12]}" if repo.get("commit") else ""
    lines = [
        f"{repo['name']} ({repo.get('ref') or 'directory'}{commit}) against policy "
        f"{report.policy['name']} {report.policy['version']}",
        f"Score {report.score:g}/100 · Level {level_label(report)} · Gate "
        + paint(gate_label(report), "green" if report.passed else "red"),
    ]
    delta = diff_line(report)
    if delta:
        lines.append(f"Change: {delta}")
    failing = failures_first(report)
    if failing:
        lines.append("")
    for result in failing:
        mark = paint("✗", "red") if result.status == FAIL else paint("!", "yellow")
        label = "error evaluating" if result.status == ERROR else result.severity
        lines.append(f"{mark} {result.check} [{label}, level {result.level}, weight {result.weight:g}] {result.message}")
        for location in result.locations[:5]:
            lines.append(f"    at {location}")
        if len(result.locations) > 5:
            lines.append(f"    … and {len(result.locations) - 5} more")
        if result.status == FAIL and result.remediation:
            lines += _fix_lines(report, result)
    improve = to_improve(report)
    if improve:
        lines.append("")
    for result in improve:
        lines.append(f"{paint('↑', 'yellow')} {result.check} [in place, level {result.level}, "
                     f"score {result.score:.0%}] {result.message}")
        lines += _fix_lines(report, result)
    if report.upcoming:
        lines.append("")
        lines.extend(f"» {r.check} [upcoming, level {r.level}] {upcoming_line(r)}" for r in report.upcoming)
    waived = report.by_status(WAIVED)
    if waived:
        lines.append("")
        lines.extend(f"~ {r.check} waived until {r.waiver.expires}: {r.waiver.reason}" for r in waived if r.waiver)
    if report.expiring_waivers:
        lines.append("")
        lines.extend(paint(f"expiring: {expiring_line(w)}", "yellow") for w in report.expiring_waivers)
    skipped = report.by_status(SKIP)
    if skipped:
        lines.append("")
        lines.extend(paint(f"- {r.check} skipped: {r.message}", "dim") for r in skipped)
    if report.warnings:
        lines.append("")
        lines.extend(paint(f"warning: {w.text}", "yellow") for w in report.warnings)
    lines += ["", tally_line(report)]
    return "\n".join(lines) + "\n"


def _fix_lines(report: Report, result: Result) -> list[str]:
    """The whole fix, wrapped, never cut; the command to read more on a line of its own."""
    lines = [textwrap.fill(" ".join(result.remediation.split()), width=100, initial_indent="    fix: ",
                           subsequent_indent="         ", break_long_words=False, break_on_hyphens=False)]
    hint = explain_command(report, result)
    if hint:
        lines.append(f"    more: {hint}")
    return lines
