"""Run one registered check on a real git repository (catalog defaults merged with the test's params)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.model import Outcome
from standards_check.snapshot import open_snapshot
from tests.checkrun import defaults as catalog_defaults


def evaluate(repo: Path, check_id: str, ref: str | None = None, **params: Any) -> Outcome:
    with open_snapshot(repo, ref=ref) as snapshot:
        return REGISTRY[check_id](CheckContext(snapshot), {**catalog_defaults(check_id), **params})


def lines(outcome: Outcome) -> list[tuple[str, int | None]]:
    return [(loc.path, loc.line) for loc in outcome.locations]
