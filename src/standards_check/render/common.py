"""What every human-readable renderer shows, in the same order: failures first, worst first."""
from __future__ import annotations

from standards_check.model import ERROR, FAIL, PASS, SKIP, UPCOMING, WAIVED
from standards_check.report import Report, Result

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def failures_first(report: Report) -> list[Result]:
    """Failures and errors, by severity, then level (what blocks the lowest level first), then weight
    (heaviest first), then check id."""
    return sorted(report.failures, key=lambda r: (_SEVERITY_ORDER[r.severity], r.level, -r.weight, r.check))


def to_improve(report: Report) -> list[Result]:
    """Passing rules with partial credit: the practice is in place, something in it needs correcting."""
    return sorted((r for r in report.results if r.to_improve), key=lambda r: (r.level, -r.weight, r.check))


def counts(report: Report) -> dict[str, int]:
    out = {status: 0 for status in (PASS, FAIL, ERROR, WAIVED, SKIP, UPCOMING)}
    for result in report.results:
        out[result.status] += 1
    return out


def level_label(report: Report) -> str:
    return f"{report.level} ({report.level_name})" if report.level_name else str(report.level)


def gate_label(report: Report) -> str:
    if report.passed:
        return "passed"
    return "failed: " + "; ".join(report.gate.reasons)


def fix_text(report: Report, result: Result) -> str:
    """The whole fix, on one line (never cut), ending with where to read more."""
    hint = explain_command(report, result)
    text = " ".join(result.remediation.split())
    return f"{text} More: `{hint}`".lstrip() if hint else text


def explain_command(report: Report, result: Result) -> str | None:
    """`standards-check checks explain ID` for a check of the shipped catalog, which the report
    documents (a policy's own checks are documented in the policy, and `checks explain` does not
    know them)."""
    return f"standards-check checks explain {result.check}" if result.check in report.docs else None


def diff_line(report: Report) -> str | None:
    if report.diff is None:
        return None
    d = report.diff
    sign = "+" if d.score_delta >= 0 else ""
    parts = [f"score {sign}{d.score_delta:g} vs {d.base_ref} ({d.base_score:g})"]
    parts.append(f"new failures: {', '.join(d.new_failures) or 'none'}")
    if d.fixed:
        parts.append(f"fixed: {', '.join(d.fixed)}")
    if d.changed_with_time:
        parts.append(f"changed with time, not by this change: {', '.join(d.changed_with_time)}")
    return "; ".join(parts)


def tally_line(report: Report, sep: str = ", ") -> str:
    """'3 passed, 1 failed, 1 error, 0 waived, 2 skipped' (and ', 1 upcoming' when there are)."""
    n = counts(report)
    errors = f"{n[ERROR]} error" + ("" if n[ERROR] == 1 else "s")
    parts = [f"{n[PASS]} passed", f"{n[FAIL]} failed", errors, f"{n[WAIVED]} waived", f"{n[SKIP]} skipped"]
    return sep.join(parts + ([f"{n[UPCOMING]} upcoming"] if n[UPCOMING] else []))


def upcoming_line(result: Result) -> str:
    """'required from 2027-01-01: <finding>' for a rule whose failure is not gated yet."""
    return f"required from {result.effective}: {result.message}"


def expiring_line(waiver: dict) -> str:
    days = waiver["days_left"]
    when = "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"
    return f"waiver for {waiver['check']} expires {when} ({waiver['expires']})"


def heat(score: float | None) -> str:
    """A cell colour in the same three bands as the legend and the grades; grey when not scored.
    Within a band, lower scores are a little darker so the worst cells stand out."""
    if score is None:
        return "background:#eef0f3;color:#6b7280"
    hue, low, high, top = {"poor": (0, 72, 88, 60), "fair": (42, 74, 86, 80), "good": (130, 74, 84, 100)}[grade(score)]
    span = 60 if top == 60 else 20
    light = low + (high - low) * max(0.0, min(1.0, 1 - (top - score) / span))
    return f"background:hsl({hue},75%,{light:.0f}%)"


def grade(score: float | None) -> str:
    if score is None:
        return "none"
    return "good" if score >= 80 else "fair" if score >= 60 else "poor"
