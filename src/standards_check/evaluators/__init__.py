"""The registry binding each check ID to its evaluator: an explicit table, no discovery.

An evaluator is a pure function `(ctx: CheckContext, params: dict) -> Outcome`. Each family module
(`presence.py`, `delivery.py`, ...) exposes `EVALUATORS`; the table below says which family
implements which check, and a family is imported only when one of its checks runs, so a small
policy does not pay for importing every parser (a meta-test checks the table against the
families). Declarative checks (file_exists, file_contains) are bound by type in `declarative.py`.
"""
from __future__ import annotations

import importlib
from typing import Callable, Iterator, Mapping

from standards_check.context import CheckContext
from standards_check.model import Outcome

Evaluator = Callable[[CheckContext, dict], Outcome]

FAMILIES: dict[str, tuple[str, ...]] = {
    "presence": ("readme.present", "license.present", "contributing.present", "pr_template.present"),
    "ownership": ("codeowners.present", "codeowners.valid", "codeowners.coverage"),
    "knowledge": ("adr.present", "adr.format", "adr.fresh"),
    "operations": ("runbook.present", "runbook.sections", "runbook.fresh", "oncall.defined",
                   "incident.postmortem_template", "catalog.owner"),
    "reliability": ("slo.present", "slo.valid", "alerts.runbook_links"),
    "delivery": ("ci.present", "ci.tests_on_pr", "ci.coverage_gate", "release.changelog",
                 "delivery.release_cadence", "delivery.lead_time", "delivery.revert_rate"),
    "security": ("security.policy", "deps.update_tool", "security.sast", "workflows.permissions",
                 "workflows.pinned_actions", "workflows.dangerous_triggers", "secrets.committed"),
}
_FAMILY_OF = {check: family for family, checks in FAMILIES.items() for check in checks}


class _Registry(Mapping[str, Evaluator]):
    """check ID -> evaluator, importing the family module on first use."""

    def __getitem__(self, check_id: str) -> Evaluator:
        family = _FAMILY_OF[check_id]  # KeyError for an unknown check, as a dict would
        module = importlib.import_module(f"standards_check.evaluators.{family}")
        return module.EVALUATORS[check_id]

    def __contains__(self, check_id: object) -> bool:  # without importing the family
        return check_id in _FAMILY_OF

    def __iter__(self) -> Iterator[str]:
        return iter(_FAMILY_OF)

    def __len__(self) -> int:
        return len(_FAMILY_OF)


REGISTRY: Mapping[str, Evaluator] = _Registry()
