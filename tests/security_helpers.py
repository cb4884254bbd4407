"""Run one registered check on a real git repository built from a dict of files."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.model import Outcome
from standards_check.snapshot import open_snapshot

CHECKS = Path(__file__).resolve().parents[1] / "checks"


def catalog_defaults(check_id: str) -> dict[str, Any]:
    entry = yaml.safe_load((CHECKS / f"{check_id}.yaml").read_text())
    return {name: spec["default"] for name, spec in (entry.get("params") or {}).items()}


def evaluate(repo: Path, check_id: str, ref: str | None = None, **params: Any) -> Outcome:
    with open_snapshot(repo, ref=ref) as snapshot:
        return REGISTRY[check_id](CheckContext(snapshot), {**catalog_defaults(check_id), **params})


def lines(outcome: Outcome) -> list[tuple[str, int | None]]:
    return [(loc.path, loc.line) for loc in outcome.locations]
