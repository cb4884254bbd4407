"""Facts: artefacts parsed once per snapshot and shared by many checks. Explicit registry.

Each parser is a function of a RepoSnapshot; `CheckContext.fact(name)` memoises its result.
"""
from __future__ import annotations

from typing import Any, Callable

from standards_check.facts.ci import parse_ci
from standards_check.facts.workflows import parse_workflows

PARSERS: dict[str, Callable[[Any], Any]] = {
    "workflows": parse_workflows,
    "ci": parse_ci,
}
