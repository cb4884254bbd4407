"""The registry binding each check ID to its evaluator: an explicit dict, no discovery.

An evaluator is a pure function `(ctx: CheckContext, params: dict) -> Outcome`; each family module
exposes `EVALUATORS`, merged here. Declarative checks (file_exists, file_contains) are bound by
type in `declarative.py`, not here.
"""
from __future__ import annotations

from typing import Callable

from standards_check.context import CheckContext
from standards_check.evaluators import delivery, knowledge, operations, ownership, presence, reliability, security
from standards_check.model import Outcome

Evaluator = Callable[[CheckContext, dict], Outcome]

REGISTRY: dict[str, Evaluator] = {
    **presence.EVALUATORS,
    "codeowners.present": ownership.codeowners_present,
    "codeowners.valid": ownership.codeowners_valid,
    "codeowners.coverage": ownership.codeowners_coverage,
    **reliability.EVALUATORS,
    **knowledge.EVALUATORS,
    **operations.EVALUATORS,
    **delivery.EVALUATORS,
    # security
    "security.policy": security.security_policy,
    "deps.update_tool": security.deps_update_tool,
    "security.sast": security.security_sast,
    "workflows.permissions": security.workflows_permissions,
    "workflows.pinned_actions": security.workflows_pinned_actions,
    "workflows.dangerous_triggers": security.workflows_dangerous_triggers,
    "secrets.committed": security.secrets_committed,
}
