"""Facts: artefacts parsed once per snapshot and shared by many checks. Explicit registry.

Each parser is a function of a RepoSnapshot; `CheckContext.fact(name)` memoises its result. The
table names each parser as "module:function" under this package, imported on first use.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Iterator, Mapping

_PARSERS: dict[str, str] = {
    "adr": "adr:parse_adrs",
    "alerts": "alerts:alert_rules_of",
    "catalog_info": "catalog_info:parse_catalog_info",
    "ci": "ci:parse_ci",
    "codeowners": "codeowners:parse_codeowners",
    "incident_docs": "runbooks:parse_incident_docs",
    "runbooks": "runbooks:parse_runbooks",
    "slo": "slo:parse_slos",
    "tags": "tags:parse_tags",
    "workflows": "workflows:parse_workflows",
}


class _Parsers(Mapping[str, Callable[[Any], Any]]):
    def __getitem__(self, name: str) -> Callable[[Any], Any]:
        module, _, function = _PARSERS[name].partition(":")
        return getattr(importlib.import_module(f"standards_check.facts.{module}"), function)

    def __contains__(self, name: object) -> bool:  # without importing the parser
        return name in _PARSERS

    def __iter__(self) -> Iterator[str]:
        return iter(_PARSERS)

    def __len__(self) -> int:
        return len(_PARSERS)


PARSERS: Mapping[str, Callable[[Any], Any]] = _Parsers()
