"""Facts: artefacts parsed once per snapshot and shared by many checks. Explicit registry.

Each parser is a function of a RepoSnapshot; `CheckContext.fact(name)` memoises its result.
"""
from __future__ import annotations

from typing import Any, Callable

from standards_check.facts.adr import parse_adrs
from standards_check.facts.alerts import parse_alert_rules
from standards_check.facts.catalog_info import parse_catalog_info
from standards_check.facts.ci import parse_ci
from standards_check.facts.codeowners import parse_codeowners
from standards_check.facts.tags import parse_tags
from standards_check.facts.runbooks import parse_incident_docs, parse_runbooks
from standards_check.facts.slo import parse_slos
from standards_check.facts.workflows import parse_workflows

PARSERS: dict[str, Callable[[Any], Any]] = {
    "codeowners": parse_codeowners,
    "workflows": parse_workflows,
    "slo": parse_slos,
    "alerts": parse_alert_rules,
    "adr": parse_adrs,
    "catalog_info": parse_catalog_info,
    "runbooks": parse_runbooks,
    "incident_docs": parse_incident_docs,
    "ci": parse_ci,
    "tags": parse_tags,
}
