"""The repository's own config, `.standards.yml`: which policy, and waivers.

Read through the snapshot, so `--ref` and diff mode use the config of the commit being scanned.
A malformed file is a UserError (exit 2) naming file:line; a malformed or expired waiver is kept,
reported, and not applied. "Expired" is judged as of one day, `as_of` (default: today; `scan
--as-of DATE` sets it), the same day the engine judges rules' `effective` dates by. Once the policy
is known, `govern` applies its `waivers: {max_days, require_approver}` rules the same way.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import dataclass, replace
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


@lru_cache(maxsize=None)
def _file_schema() -> dict[str, Any]:
    """The schema the file as a whole must meet: the published one, except that a waiver need only
    be a mapping. The published schema holds each waiver to `$defs/waiver` (so an editor flags a
    bad one), but the scanner keeps a malformed waiver, reports it and does not apply it, rather
    than refusing the whole file (see `_waiver`)."""
    schema = copy.deepcopy(_schema())
    schema["properties"]["waivers"]["items"] = {"type": "object"}
    return schema


def load_repo_config(snapshot: RepoSnapshot, as_of: dt.date | None = None) -> RepoConfig:
    path = snapshot.first(CONFIG_PATHS)
    if path is None:
        return RepoConfig(None, None, ())  # without importing jsonschema
    from jsonschema import Draft202012Validator

    from standards_check.schema_errors import problems_from_schema

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
    problems = problems_from_schema(Draft202012Validator(_file_schema()), data, positions, path)
    if problems:
        raise UserError(f"invalid {path}", problems)
    bad_globs = _invalid_globs(data.get("exclude") or [], path, positions)
    if bad_globs:
        raise UserError(f"invalid {path}", bad_globs)
    waiver_validator = Draft202012Validator(_schema()["$defs"]["waiver"])
    as_of = as_of or dt.date.today()
    waivers = tuple(_waiver(entry, waiver_validator, as_of, path, positions, index)
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


def _waiver(entry: dict, validator: Any, as_of: dt.date, path: str, positions: dict, index: int) -> Waiver:
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
    if expiry < as_of:
        return Waiver(check, reason, expires, approved_by, "expired",
                      f"waiver for {check} at {where} expired on {expires}")
    return Waiver(check, reason, expires, approved_by, "active", where=where)


def govern(waivers: tuple[Waiver, ...], max_days: int | None, require_approver: bool, as_of: dt.date,
           policy_name: str) -> tuple[Waiver, ...]:
    """The policy's rules for waivers, applied to the active ones: a waiver expiring more than
    `max_days` after `as_of`, or without `approved_by` when `require_approver`, becomes `invalid`
    (reported, not applied). A waiver has no start date, so its length is judged from `as_of`."""
    out = []
    for waiver in waivers:
        why = []
        if waiver.state == "active" and max_days is not None and waiver.expires:
            days = (dt.date.fromisoformat(waiver.expires) - as_of).days
            if days > max_days:
                why.append(f"it runs {days} days, longer than the {max_days} days policy {policy_name} allows")
        if waiver.state == "active" and require_approver and not (waiver.approved_by or "").strip():
            why.append(f"it has no approved_by, which policy {policy_name} requires")
        if why:
            waiver = replace(waiver, state="invalid",
                             problem=f"waiver for {waiver.check} at {waiver.where} not applied: {'; '.join(why)}")
        out.append(waiver)
    return tuple(out)
