"""From rule results to a score, category scores, a maturity level and the gate.

- score: the weighted mean of rule scores (0..1) over the rules that count (pass, fail, error), x100.
  Skipped (not applicable) and waived rules do not count; an error counts as 0, never as a pass.
- level: the highest level L such that every severity-`error` rule at level <= L passes (a skipped or
  waived rule does not block); 0 if level 1 is not reached.
- gate: min_score and min_level; with a diff and `fail_on_new`, only regressions fail the gate.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Iterable

from standards_check.model import FAIL, ERROR
from standards_check.report import CATEGORIES, Diff, Gate, Result


def weighted_score(results: Iterable[Result]) -> float | None:
    counted = [r for r in results if r.counts]
    total = sum(r.weight for r in counted)
    if not total:
        return None
    weighted = 100 * sum(r.weight * r.score for r in counted)
    if not (math.isfinite(total) and math.isfinite(weighted)):  # finite weights too large to add up:
        top = max(r.weight for r in counted)                       # the same mean, scaled down
        return weighted_score(replace(r, weight=r.weight / top) for r in counted)
    return round(weighted / total, 1)


def category_scores(results: list[Result]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for category in CATEGORIES:
        members = [r for r in results if r.category == category]
        score = weighted_score(members)
        if score is None:
            out[category] = {}
        else:
            counted = [r for r in members if r.counts]
            out[category] = {"score": score, "rules": len(counted), "failed": sum(r.is_failure for r in counted)}
    return out


def maturity_level(results: list[Result], levels: Iterable[int]) -> int:
    reached = 0
    for level in sorted(levels):
        blocking = [r for r in results if r.level <= level and r.severity == "error" and r.status in (FAIL, ERROR)]
        if blocking:
            break
        reached = level
    return reached


def evaluate_gate(min_score: float, min_level: int, fail_on_new: bool, score: float, level: int,
                  diff: Diff | None, level_names: dict[int, str]) -> Gate:
    reasons: list[str] = []
    if diff is not None and fail_on_new:
        if diff.new_failures:
            reasons.append(f"new failures since {diff.base_ref}: {', '.join(diff.new_failures)}")
    else:
        if score < min_score:
            reasons.append(f"score {score:g} is below the minimum {min_score:g}")
        if level < min_level:
            name = level_names.get(min_level, "")
            reasons.append(f"level {level} is below the minimum {min_level}" + (f" ({name})" if name else ""))
    return Gate(min_score, min_level, fail_on_new, tuple(reasons))
