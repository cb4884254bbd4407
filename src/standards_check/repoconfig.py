"""The repository's own config, `.standards.yml`: which policy, and waivers.

Read through the snapshot, so `--ref` and diff mode use the config of the commit being scanned.
A malformed file is a UserError (exit 2) naming file:line; a malformed or expired waiver is kept,
reported, and not applied.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from standards_check import yamlio
from standards_check.errors import Problem, UserError
from standards_check.report import Waiver
from standards_check.resources import schema_path
from standards_check.snapshot import RepoSnapshot

CONFIG_PATHS = (".standards.yml", ".standards.yaml", ".github/.standards.yml", ".github/.standards.yaml",
                ".github/standards.yml", ".github/standards.yaml")


@dataclass(frozen=True)
class RepoConfig:
    path: str | None
    policy: str | None
    waivers: tuple[Waiver, ...]
    exclude: tuple[str, ...] = ()  # globs of paths that are not the team's own (see facts/scope.py)


@lru_cache(maxsize=None)
def _schema() -> dict[str, Any]:
    return json.loads(schema_path("repo-config.schema.json").read_text())


def load_repo_config(snapshot: RepoSnapshot, today: dt.date | None = None) -> RepoConfig:
    from jsonschema import Draft202012Validator

    from standards_check.schema_errors import problems_from_schema

    path = snapshot.first(CONFIG_PATHS)
    if path is None:
        return RepoConfig(None, None, ())
    text = snapshot.read_text(path)
    if text is None:
        raise UserError(f"{path}: cannot be read as text")
    try:
        data, positions = yamlio.load_with_positions(text, source=path)
    except yamlio.YamlSyntaxError as exc:
        raise UserError(f"invalid {path}", [Problem(path, exc.message, exc.line, exc.column)]) from None
    if data is None:
        return RepoConfig(path, None, ())
    if not isinstance(data, dict):
        raise UserError(f"invalid {path}", [Problem(path, "must be a mapping with 'policy' and 'waivers'", 1, 1)])
    problems = problems_from_schema(Draft202012Validator(_schema()), data, positions, path)
    if problems:
        raise UserError(f"invalid {path}", problems)
    bad_globs = _invalid_globs(data.get("exclude") or [], path, positions)
    if bad_globs:
        raise UserError(f"invalid {path}", bad_globs)
    waiver_validator = Draft202012Validator(_schema()["$defs"]["waiver"])
    today = today or dt.date.today()
    waivers = tuple(_waiver(entry, waiver_validator, today, path, positions, index)
                    for index, entry in enumerate(data.get("waivers", [])))
    return RepoConfig(path, data.get("policy"), waivers, tuple(data.get("exclude") or ()))


def _invalid_globs(globs: list, path: str, positions: dict) -> list[Problem]:
    """An `exclude:` glob wcmatch cannot compile, as a problem at its line."""
    from standards_check.facts.scope import compile_glob

    problems = []
    for index, glob in enumerate(globs):
        try:
            compile_glob(str(glob))
        except ValueError as exc:
            line, column = yamlio.position_of(positions, ("exclude", index))
            problems.append(Problem(path, str(exc), line, column))
    return problems


def _waiver(entry: dict, validator: Any, today: dt.date, path: str, positions: dict, index: int) -> Waiver:
    line, _ = yamlio.position_of(positions, ("waivers", index))
    where = f"{path}:{line}" if line else path
    check = str(entry.get("check", "?"))
    reason = str(entry.get("reason", ""))
    expires = entry.get("expires")
    approved_by = entry.get("approved_by")
    errors = sorted(e.message for e in validator.iter_errors(entry))
    if errors:
        return Waiver(check, reason, str(expires) if expires else None, approved_by, "invalid",
                      f"malformed waiver at {where}: {'; '.join(errors)}")
    try:
        expiry = dt.date.fromisoformat(str(expires))
    except ValueError:
        return Waiver(check, reason, expires, approved_by, "invalid", f"malformed waiver at {where}: "
                      f"expires {expires!r} is not a real date")
    if expiry < today:
        return Waiver(check, reason, expires, approved_by, "expired",
                      f"waiver for {check} at {where} expired on {expires}")
    return Waiver(check, reason, expires, approved_by, "active")
