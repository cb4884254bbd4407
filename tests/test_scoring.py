"""Scoring: weighted means, categories, levels, the gate."""
from __future__ import annotations

from standards_check.report import Diff, Result
from standards_check.scoring import category_scores, evaluate_gate, maturity_level, weighted_score


def result(check="a.b", status="pass", score=1.0, weight=1.0, level=1, severity="error", category="knowledge"):
    return Result(check=check, title="t", category=category, severity=severity, weight=weight, level=level,
                  status=status, score=score, message="m")


def test_weighted_mean_with_partial_credit_ignores_skip_and_waived_counts_error_as_zero():
    results = [result(weight=3, score=1.0), result(weight=1, status="fail", score=0.5),
               result(weight=2, status="error", score=0.0), result(weight=5, status="skip", score=0.0),
               result(weight=5, status="waived", score=0.0)]
    assert weighted_score(results) == round(100 * (3 + 0.5) / 6, 1)
    assert weighted_score([result(status="skip")]) is None


def test_categories_empty_when_nothing_applies():
    cats = category_scores([result(category="security", status="fail", score=0.0), result(category="security")])
    assert cats["security"] == {"score": 50.0, "rules": 2, "failed": 1}
    assert cats["ownership"] == {}


def test_level_is_highest_with_all_error_rules_passing_at_and_below():
    results = [result(level=1), result(level=2), result(level=3, status="fail"),
               result(level=4), result(level=2, status="fail", severity="warning"), result(level=1, status="skip")]
    assert maturity_level(results, [1, 2, 3, 4, 5]) == 2
    assert maturity_level([result(level=1, status="error")], [1, 2]) == 0
    assert maturity_level([result(level=1, status="waived")], [1, 2]) == 2


def test_gate_thresholds_and_fail_on_new():
    gate = evaluate_gate(70, 2, False, 65.0, 1, None, {2: "Delivery"})
    assert gate.reasons == ("score 65 is below the minimum 70", "level 1 is below the minimum 2 (Delivery)")
    diff = Diff("main", 60.0, 5.0, (), ("x.y",))
    assert evaluate_gate(70, 2, True, 65.0, 1, diff, {}).reasons == ()
    diff = Diff("main", 60.0, 5.0, ("readme.present",), ())
    assert evaluate_gate(70, 2, True, 99.0, 5, diff, {}).reasons == ("new failures since main: readme.present",)
