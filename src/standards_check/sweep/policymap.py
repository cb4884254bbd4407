"""Which policy a repository is scored against, when it does not say so itself.

Order: the repository's own `.standards.yml` (the engine reads it); else the first rule of the
`--policy-map` file that matches; else the sweep's default `--policy`.

A policy map (YAML):
    rules:
      - topics: [production, tier-1]      # any of the GitHub topics
        policy: production-service@1
      - lifecycle: [production]           # catalog-info.yaml spec.lifecycle
        policy: production-service@1
      - tier: ["1", "2"]                  # catalog-info.yaml spec.tier / metadata.labels.tier
        policy: production-service@1
      - lifecycle: [experimental]
        policy: baseline@1
    default: baseline@1                   # optional; --policy wins over it when given
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from standards_check import yamlio
from standards_check.errors import UserError
from standards_check.values import as_list

KEYS = ("topics", "lifecycle", "tier")


@dataclass(frozen=True)
class MapRule:
    policy: str
    topics: frozenset[str] = frozenset()
    lifecycle: frozenset[str] = frozenset()
    tier: frozenset[str] = frozenset()

    def matches(self, topics: tuple[str, ...], lifecycle: str | None, tier: str | None) -> bool:
        return bool(self.topics & set(topics)) or (lifecycle in self.lifecycle) or (tier in self.tier)


@dataclass(frozen=True)
class PolicyMap:
    rules: tuple[MapRule, ...] = ()
    default: str | None = None
    text: str | None = None  # the file's text, to tell sweeps with different maps apart

    def choose(self, topics: tuple[str, ...], lifecycle: str | None, tier: str | None,
               fallback: str | None) -> tuple[str | None, str]:
        """(policy ref, why) for a repository without its own configuration."""
        for i, rule in enumerate(self.rules, 1):
            if rule.matches(topics, lifecycle, tier):
                return rule.policy, f"policy map rule {i}"
        if fallback:
            return fallback, "--policy"
        return self.default, "policy map default" if self.default else "built-in default"


def load_policy_map(path: Path) -> PolicyMap:
    try:
        text = path.read_text(encoding="utf-8")
        data = yamlio.load(text, source=str(path))
    except OSError as exc:
        raise UserError(f"cannot read --policy-map {path}: {exc.strerror}") from None
    except yamlio.YamlSyntaxError as exc:
        raise UserError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules", []), list):
        raise UserError(f"{path}: a policy map is a mapping with a `rules` list")
    rules = []
    for i, raw in enumerate(data.get("rules") or [], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("policy"), str):
            raise UserError(f"{path}: rule {i} needs a `policy` (NAME@VERSION or a file)")
        unknown = set(raw) - {"policy", *KEYS}
        if unknown:
            raise UserError(f"{path}: rule {i} has unknown keys {sorted(unknown)}; use {list(KEYS)}")
        if not any(raw.get(k) for k in KEYS):
            raise UserError(f"{path}: rule {i} matches nothing; give topics, lifecycle or tier")
        rules.append(MapRule(raw["policy"], **{k: _set(raw.get(k)) for k in KEYS}))
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise UserError(f"{path}: `default` must be a policy reference")
    return PolicyMap(tuple(rules), default, text)


def _set(value: Any) -> frozenset[str]:
    return frozenset(str(v) for v in as_list(value))
