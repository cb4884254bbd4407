"""Run one check the way the engine does: catalog defaults merged with the test's params."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from standards_check import yamlio
from standards_check.context import CheckContext
from standards_check.evaluators import REGISTRY
from standards_check.model import Outcome
from standards_check.resources import data_dir
from standards_check.snapshot import RepoSnapshot, open_snapshot


def defaults(check_id: str) -> dict:
    entry = yamlio.load((data_dir("checks") / f"{check_id}.yaml").read_text())
    return {name: spec["default"] for name, spec in (entry.get("params") or {}).items()}


def run_check(check_id: str, target: Path | RepoSnapshot, **params) -> Outcome:
    snapshot = target if isinstance(target, RepoSnapshot) else open_snapshot(target)
    try:
        return REGISTRY[check_id](CheckContext(snapshot), {**defaults(check_id), **params})
    finally:
        if not isinstance(target, RepoSnapshot):
            snapshot.close()


def days_ago(days: float) -> str:
    """An ISO 8601 date `days` before now, for commit_all(date=...)."""
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def locations(outcome: Outcome) -> list[str]:
    return [str(location) for location in outcome.locations]
