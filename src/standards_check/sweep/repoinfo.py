"""What a sweep needs to know of a repository beyond its report: its team and its tier.

Read from at most four small files of the snapshot (by exact path, never by scanning paths).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from standards_check import yamlio

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's order
CATALOG_PATHS = ("catalog-info.yaml", "catalog-info.yml")
CONFIG_PATHS = (".standards.yml", ".standards.yaml", ".github/.standards.yml", ".github/.standards.yaml")


@dataclass(frozen=True)
class RepoInfo:
    team: str | None
    lifecycle: str | None
    tier: str | None
    config_policy: str | None  # the policy the repository's .standards.yml names


def read_info(snapshot: Any) -> RepoInfo:
    catalog = _catalog(snapshot)
    spec = _mapping(catalog.get("spec"))
    meta = _mapping(catalog.get("metadata"))
    labels, notes = _mapping(meta.get("labels")), _mapping(meta.get("annotations"))
    tier = spec.get("tier") or labels.get("tier") or notes.get("tier")
    team = codeowners_default_owner(snapshot) or _str(spec.get("owner"))
    return RepoInfo(team=team, lifecycle=_str(spec.get("lifecycle")), tier=_str(tier),
                    config_policy=_config_policy(snapshot))


def codeowners_default_owner(snapshot: Any) -> str | None:
    """The first owner of the last `*` rule of the CODEOWNERS file GitHub would use."""
    path = snapshot.first(CODEOWNERS_PATHS)
    text = snapshot.read_text(path) if path else None
    if not text:
        return None
    owner = None
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if parts and parts[0] in ("*", "/*", "/**", "**"):
            owner = parts[1] if len(parts) > 1 else None  # an owner-less `*` unsets the default
    return owner


def _config_policy(snapshot: Any) -> str | None:
    path = snapshot.first(CONFIG_PATHS)
    text = snapshot.read_text(path) if path else None
    try:
        data = yamlio.load(text) if text else None
    except Exception:  # the engine reports a broken configuration; here it just names no policy
        return None
    return _str(data.get("policy")) if isinstance(data, dict) else None


def _catalog(snapshot: Any) -> dict[str, Any]:
    path = snapshot.first(CATALOG_PATHS)
    text = snapshot.read_text(path) if path else None
    if not text:
        return {}
    try:
        docs = yamlio.load_all(text)
    except Exception:  # a broken catalog file is the catalog checks' business, not the sweep's
        return {}
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "Component":
            return doc
    return next((d for d in docs if isinstance(d, dict)), {})


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
