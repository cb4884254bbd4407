"""What a sweep needs to know of a repository beyond its report: its team, lifecycle and tier,
and the policy its own `.standards.yml` names.

Read through the same fact parsers the checks use (CODEOWNERS exactly as GitHub reads it, the
Backstage catalog descriptors); the snapshot caches the bytes, so the engine reads nothing twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_PATTERNS = ("*", "/*", "**", "/**")


@dataclass(frozen=True)
class RepoInfo:
    team: str | None
    lifecycle: str | None
    tier: str | None
    config_policy: str | None  # the policy the repository's .standards.yml names


def read_info(snapshot: Any) -> RepoInfo:
    component = _component(snapshot)
    team = codeowners_default_owner(snapshot) or (component.owner if component else None)
    tier = None
    if component is not None:
        labels = component.spec.get("labels") if isinstance(component.spec.get("labels"), dict) else {}
        tier = _str(component.spec.get("tier")) or _str(component.annotations.get("tier")) \
            or _str(labels.get("tier"))
    return RepoInfo(team=team, lifecycle=component.lifecycle if component else None, tier=tier,
                    config_policy=_config_policy(snapshot))


def codeowners_default_owner(snapshot: Any) -> str | None:
    """The first owner of the last catch-all rule (`*`) of the CODEOWNERS GitHub would use."""
    from standards_check.facts.codeowners import parse_codeowners

    found = parse_codeowners(snapshot)
    if found.codeowners is None:
        return None
    owner = None
    for rule in found.codeowners.rules:
        if rule.pattern in DEFAULT_PATTERNS and not rule.negated:
            owner = rule.owners[0] if rule.owners else None  # an owner-less `*` unsets the default
    return owner


def _component(snapshot: Any) -> Any:
    """The repository's own Component (its root descriptor first), or None."""
    from standards_check.facts.catalog_info import parse_catalog_info

    try:
        components = parse_catalog_info(snapshot).of_kind("Component")
    except Exception:  # a broken descriptor is the catalog checks' business, not the sweep's
        return None
    components.sort(key=lambda e: (e.path.count("/"), e.path, e.document))
    return components[0] if components else None


def _config_policy(snapshot: Any) -> str | None:
    """The policy `.standards.yml` names, read as the engine reads it."""
    from standards_check.errors import UserError
    from standards_check.repoconfig import load_repo_config

    try:
        return load_repo_config(snapshot).policy
    except UserError:  # the engine reports the broken configuration as the repository's error
        return None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
