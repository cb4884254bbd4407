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
    entity: tuple[str, str] | None = None  # (namespace, name) of its own catalog Component


def read_info(snapshot: Any) -> RepoInfo:
    component = _component(snapshot)
    team = pick_team(codeowners_owners(snapshot), component.owner if component else None)
    tier = None
    if component is not None:
        labels = component.spec.get("labels") if isinstance(component.spec.get("labels"), dict) else {}
        tier = _str(component.spec.get("tier")) or _str(component.annotations.get("tier")) \
            or _str(labels.get("tier"))
    return RepoInfo(team=team, lifecycle=component.lifecycle if component else None, tier=tier,
                    config_policy=_config_policy(snapshot),
                    entity=(component.namespace, component.name) if component and component.name else None)


def pick_team(owners: tuple[tuple[str, ...], list[str]], catalog_owner: str | None) -> str | None:
    """The team a scorecard files a repository under. Teams are teams: an `@org/team` owner of the
    catch-all CODEOWNERS rule first, then the Backstage `spec.owner` (a group unless it says
    `user:`), then the team owning the most CODEOWNERS rules, and only then a person (the first
    owner of the catch-all rule, or a `user:` catalog owner)."""
    default, others = owners
    catalog_person = catalog_owner is not None and catalog_owner.lower().startswith("user:")
    for candidate in (
        next((o for o in default if _is_team(o)), None),
        None if catalog_person else catalog_owner,
        _most_common_team(others),
        default[0] if default else None,
        catalog_owner,
    ):
        if candidate:
            return candidate
    return None


def codeowners_owners(snapshot: Any) -> tuple[tuple[str, ...], list[str]]:
    """(the owners of the last catch-all rule (`*`) of the CODEOWNERS GitHub would use, every owner
    of every rule in file order)."""
    from standards_check.facts.codeowners import parse_codeowners

    found = parse_codeowners(snapshot)
    if found.codeowners is None:
        return (), []
    default: tuple[str, ...] = ()
    everyone: list[str] = []
    for rule in found.codeowners.rules:
        if rule.negated:
            continue
        everyone.extend(rule.owners)
        if rule.pattern in DEFAULT_PATTERNS:
            default = tuple(rule.owners)  # an owner-less `*` unsets the default
    return default, everyone


def _is_team(owner: str) -> bool:
    return owner.startswith("@") and "/" in owner  # @org/team (GitHub), @group/subgroup (GitLab)


def _most_common_team(owners: list[str]) -> str | None:
    from collections import Counter

    teams = Counter(o for o in owners if _is_team(o))
    return max(teams, key=teams.__getitem__) if teams else None  # a tie: the first seen (insertion order)


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
