"""The Report: plain data, serialisable to the JSON contract (DESIGN.md §3, schema_version "1").

Renderers and publishers only read it. Pass/fail is decided by scoring, carried here as `passed`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from standards_check import __version__
from standards_check.escape import unsurrogate_data
from standards_check.model import ERROR, FAIL, PASS, SKIP, UPCOMING, WAIVED, Location

SCHEMA_VERSION = "1"
CATEGORIES = ("ownership", "knowledge", "delivery", "reliability", "security")


# What a report warning is about. Callers that act on some warnings (print them at once, add a
# CI hint) match on the kind, never on the text; the JSON carries the text only.
POLICY_SOURCE = "policy_source"  # a policy repository was unreachable: its cached copy was used
REFUSED_FILE = "refused_file"  # a file over the read budget was not read
WAIVER = "waiver"  # a waiver of .standards.yml is invalid or matches no rule
NOT_READ = "not_read"  # a file the snapshot could not read (a symlink out of the tree, ...)
DIFF_SKIPPED = "diff_skipped"  # the base of a diff was not found: a plain scan instead
DIFF_SCOPE = "diff_scope"  # diff mode covers whole commits, not the subdirectory asked for


@dataclass(frozen=True)
class ReportWarning:
    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    expires: str | None
    approved_by: str | None = None
    state: str = "active"  # active | expired | invalid
    problem: str | None = None
    where: str = field(default="", compare=False)  # .standards.yml:LINE, for messages only

    def to_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason, "expires": self.expires, "approved_by": self.approved_by,
            "state": self.state, "problem": self.problem,
        }


@dataclass(frozen=True)
class Result:
    """One policy rule's result."""

    check: str
    title: str
    category: str
    severity: str
    weight: float
    level: int
    status: str
    score: float
    message: str
    locations: tuple[Location, ...] = ()
    remediation: str = ""
    waiver: Waiver | None = None
    # Not serialised: whether the outcome can move with no change to the files (diff mode reports
    # such movement as changed with time, not as the change's doing).
    time_based: bool = False
    effective: str | None = None  # the rule's `effective` date (YYYY-MM-DD), if it has one

    @property
    def counts(self) -> bool:
        """Whether this result counts towards the score: skipped, waived and upcoming rules do not."""
        return self.status in (PASS, FAIL, ERROR)

    @property
    def is_failure(self) -> bool:
        return self.status in (FAIL, ERROR)

    @property
    def to_improve(self) -> bool:
        """The practice is in place (a pass) but imperfect (partial credit): its fix says what to correct."""
        return self.status == PASS and self.score < 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check, "title": self.title, "category": self.category,
            "severity": self.severity, "weight": self.weight, "level": self.level,
            "status": self.status, "score": round(self.score, 4), "message": self.message,
            "locations": [loc.to_dict() for loc in self.locations],
            "remediation": self.remediation,
            "waiver": self.waiver.to_dict() if self.waiver else None,
            "effective": self.effective,
        }


@dataclass(frozen=True)
class Diff:
    base_ref: str
    base_score: float
    score_delta: float
    new_failures: tuple[str, ...]
    fixed: tuple[str, ...]
    base_commit: str | None = None
    changed_with_time: tuple[str, ...] = ()  # moved, but by dates or history, not by the change

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_ref": self.base_ref, "base_commit": self.base_commit,
            "base_score": self.base_score, "score_delta": self.score_delta,
            "new_failures": list(self.new_failures), "fixed": list(self.fixed),
            "changed_with_time": list(self.changed_with_time),
        }


@dataclass(frozen=True)
class Gate:
    min_score: float
    min_level: int
    fail_on_new: bool
    reasons: tuple[str, ...] = ()  # why it failed; empty when it passed

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_score": self.min_score, "min_level": self.min_level,
            "fail_on_new": self.fail_on_new, "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class CheckDoc:
    """The shipped catalog's documentation of a check, as the engine found it. Not serialised: the
    renderers read it from the Report instead of reading the catalog themselves."""

    what: str
    why: str
    fix: str


@dataclass(frozen=True)
class Report:
    repository: dict[str, Any]  # name, path, ref, commit
    policy: dict[str, Any]  # name, version
    score: float
    level: int
    level_name: str | None
    passed: bool
    gate: Gate
    categories: dict[str, dict[str, Any]]
    results: tuple[Result, ...]
    diff: Diff | None = None
    warnings: tuple[ReportWarning, ...] = ()
    as_of: str | None = None  # the day waivers' expiry and rules' `effective` were judged by
    expiring_waivers: tuple[dict[str, Any], ...] = ()  # applied waivers expiring within 30 days of as_of
    tool: dict[str, str] = field(default_factory=lambda: {"name": "standards-check", "version": __version__})
    # Not serialised (the JSON contract does not carry them); what the renderers would otherwise read
    # from disk. `anchor`: the repository config the scan read (repository-relative), where findings
    # about the whole repository are shown. `docs`: the catalog's documentation of each rule's check,
    # for the checks of the shipped catalog only (a policy's own checks have none).
    anchor: str | None = field(default=None, compare=False)
    docs: dict[str, CheckDoc] = field(default_factory=dict, compare=False)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    @property
    def upcoming(self) -> list[Result]:
        return self.by_status(UPCOMING)

    def by_status(self, *statuses: str) -> list[Result]:
        return [r for r in self.results if r.status in statuses]

    @property
    def failures(self) -> list[Result]:
        return self.by_status(FAIL, ERROR)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form. Strings are valid Unicode: a file name's bytes that are not UTF-8 appear
        as the text `\\xNN` (see `standards_check.escape`), never as lone surrogates."""
        return unsurrogate_data({
            "schema_version": SCHEMA_VERSION,
            "tool": dict(self.tool),
            "repository": dict(self.repository),
            "policy": dict(self.policy),
            "score": self.score,
            "level": self.level,
            "level_name": self.level_name,
            "passed": self.passed,
            "gate": self.gate.to_dict(),
            "categories": {name: dict(value) for name, value in self.categories.items()},
            "results": [r.to_dict() for r in self.results],
            "diff": self.diff.to_dict() if self.diff else None,
            "warnings": [w.text for w in self.warnings],
            "as_of": self.as_of,
            "expiring_waivers": [dict(w) for w in self.expiring_waivers],
        })


__all__ = ["Report", "Result", "CheckDoc", "Diff", "Gate", "Waiver", "ReportWarning", "CATEGORIES",
           "PASS", "FAIL", "SKIP", "ERROR", "WAIVED", "UPCOMING"]
