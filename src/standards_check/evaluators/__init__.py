"""The registry binding each check ID to its evaluator: an explicit dict, no discovery.

An evaluator is a pure function `(ctx: CheckContext, params: dict) -> Outcome`.
"""
from __future__ import annotations

from typing import Callable

from standards_check.context import CheckContext
from standards_check.evaluators import knowledge, operations
from standards_check.model import Outcome

Evaluator = Callable[[CheckContext, dict], Outcome]

REGISTRY: dict[str, Evaluator] = {
    "adr.present": knowledge.evaluate_present,
    "adr.format": knowledge.evaluate_format,
    "adr.fresh": knowledge.evaluate_fresh,
    "runbook.present": operations.evaluate_runbook_present,
    "runbook.sections": operations.evaluate_runbook_sections,
    "runbook.fresh": operations.evaluate_runbook_fresh,
    "oncall.defined": operations.evaluate_oncall_defined,
    "incident.postmortem_template": operations.evaluate_postmortem_template,
    "catalog.owner": operations.evaluate_catalog_owner,
}
