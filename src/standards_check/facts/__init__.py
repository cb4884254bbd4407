"""Facts: artefacts parsed once per snapshot and shared by many checks. Explicit registry.

Each parser is a function of a RepoSnapshot; `CheckContext.fact(name)` memoises its result.
"""
from __future__ import annotations

from typing import Any, Callable

from standards_check.facts.codeowners import parse_codeowners
from standards_check.facts.alerts import parse_alert_rules
from standards_check.facts.slo import parse_slos
from standards_check.facts.workflows import parse_workflows

PARSERS: dict[str, Callable[[Any], Any]] = {
    "codeowners": parse_codeowners,
    "workflows": parse_workflows,
    "slo": parse_slos,
    "alerts": parse_alert_rules,
}
