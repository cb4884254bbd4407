"""The registry binding each check ID to its evaluator: an explicit dict, no discovery.

An evaluator is a pure function `(ctx: CheckContext, params: dict) -> Outcome`; each family module
exposes `EVALUATORS`, merged here. Declarative checks (file_exists, file_contains) are bound by
type in `declarative.py`, not here.
"""
from __future__ import annotations

from typing import Callable

from standards_check.context import CheckContext
from standards_check.evaluators import delivery, presence
from standards_check.model import Outcome

Evaluator = Callable[[CheckContext, dict], Outcome]

REGISTRY: dict[str, Evaluator] = {
    **presence.EVALUATORS,
    **delivery.EVALUATORS,
}
