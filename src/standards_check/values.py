"""Loosely typed YAML, TOML and JSON values read as the shape a reader expects."""
from __future__ import annotations

from typing import Any


def as_list(value: Any) -> list:
    """A list as given; nothing for None; any other value as a list of itself
    (`include: ci/a.yml` and `include: [ci/a.yml]` say the same)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def list_or_empty(value: Any) -> list:
    """A list as given; anything else (a value of the wrong shape) as no items."""
    return value if isinstance(value, list) else []
