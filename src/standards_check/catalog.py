"""The check catalog: one documented YAML file per check under checks/.

A catalog a user points at is validated when loaded. The shipped one is validated when the package
is built (hatch_build.py) and by the tests (tests/test_catalog.py), not at every start: `checks
list` and a scan then load it without importing jsonschema.

A catalog entry carries the documentation (what, why, fix, example) and the parameter schema with
defaults. Builtin checks are bound to evaluators by the explicit registry; declarative checks
(file_exists, file_contains) are bound by their type.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from standards_check import yamlio
from standards_check.errors import Problem, UserError
from standards_check.report import CheckDoc
from standards_check.resources import data_dir, schema_path

DECLARATIVE_TYPES = ("file_exists", "file_contains")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    category: str
    what: str
    why: str
    fix: str
    example: str = ""
    references: tuple[str, ...] = ()
    type: str = "builtin"
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> schema with default
    source: str = ""
    time_dependent: bool = False  # reads dates or history: can move with no change to the files

    @property
    def is_declarative(self) -> bool:
        return self.type in DECLARATIVE_TYPES

    def defaults(self) -> dict[str, Any]:
        return {name: schema.get("default") for name, schema in self.params.items()}

    def params_schema(self) -> dict[str, Any]:
        """A JSON Schema for the params object of a rule using this check."""
        properties = {
            name: {k: v for k, v in schema.items() if k not in ("default", "description")}
            for name, schema in self.params.items()
        }
        return {"type": "object", "properties": properties, "additionalProperties": False}

    @property
    def remediation(self) -> str:
        return self.fix.strip()


@lru_cache(maxsize=None)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_path("check.schema.json").read_text()))


def spec_from_data(data: dict[str, Any], source: str) -> CheckSpec:
    """Build a CheckSpec from validated catalog (or inline policy) data."""
    check_type = data.get("type", "builtin")
    if check_type in DECLARATIVE_TYPES:
        from standards_check.evaluators.declarative import PARAMS

        # the type declares the schema; the entry's params are the values (its defaults)
        params = {name: {**schema, "default": data["params"].get(name, schema["default"])}
                  for name, schema in PARAMS[check_type].items()}
    else:
        params = dict(data.get("params") or {})
    return CheckSpec(
        id=data["id"], title=data["title"], category=data["category"],
        what=data.get("what", f"A {check_type} check defined by the policy."),
        why=data.get("why", "The policy's authors require it."),
        fix=data.get("fix", "See the policy's documentation."),
        example=data.get("example", ""), references=tuple(data.get("references", ())),
        type=check_type, params=params, source=source, time_dependent=bool(data.get("time_dependent", False)),
    )


class Catalog:
    def __init__(self, specs: dict[str, CheckSpec]) -> None:
        self.specs = dict(sorted(specs.items()))

    def __contains__(self, check_id: str) -> bool:
        return check_id in self.specs

    def get(self, check_id: str) -> CheckSpec:
        try:
            return self.specs[check_id]
        except KeyError:
            raise UserError(f"unknown check {check_id!r}; run 'standards-check checks list'") from None

    def __iter__(self):
        return iter(self.specs.values())

    def docs(self, check_ids: Iterable[str]) -> dict[str, CheckDoc]:
        """The documentation of those of `check_ids` this catalog has, for the Report (renderers read
        it there, never the catalog)."""
        return {c: CheckDoc(s.what, s.why, s.fix) for c in check_ids for s in [self.specs.get(c)] if s}


def load_entry(path: Path, validate: bool = True) -> tuple[CheckSpec | None, list[Problem]]:
    """Load and validate one catalog file; problems carry file:line:column."""
    text = path.read_text()
    try:
        data = yamlio.load(text, source=str(path))
    except yamlio.YamlSyntaxError as exc:
        return None, [Problem(str(path), exc.message, exc.line, exc.column)]
    if not validate:
        return spec_from_data(data, str(path)), []

    from jsonschema import Draft202012Validator

    from standards_check.schema_errors import problems_from_schema

    def positions() -> dict:  # only computed when there is an error to place
        return yamlio.load_with_positions(text)[1]

    problems = problems_from_schema(_validator(), data, positions, str(path))
    if problems:
        return None, problems
    if data["id"] != path.stem:
        line, col = yamlio.position_of(positions(), ("id",))
        return None, [Problem(str(path), f"id {data['id']!r} does not match the file name {path.name!r}", line, col)]
    spec = spec_from_data(data, str(path))
    for name, schema in spec.params.items() if not spec.is_declarative else ():
        try:
            Draft202012Validator({k: v for k, v in schema.items() if k not in ("default", "description")}).validate(schema["default"])
        except Exception as exc:
            line, col = yamlio.position_of(positions(), ("params", name, "default"))
            return None, [Problem(str(path), f"default of param {name!r} does not fit its schema: {getattr(exc, 'message', exc)}", line, col)]
    return spec, []


@lru_cache(maxsize=4)
def load_catalog(directory: str | None = None) -> Catalog:
    """The shipped catalog (validated at build time), or one from `directory` (validated here: a
    bad entry is a UserError naming file:line)."""
    root = Path(directory) if directory else data_dir("checks")
    specs: dict[str, CheckSpec] = {}
    problems: list[Problem] = []
    for path in sorted(root.glob("*.yaml")):
        spec, found = load_entry(path, validate=directory is not None)
        problems.extend(found)
        if spec is not None:
            specs[spec.id] = spec
    if problems:
        raise UserError("invalid check catalog", problems)
    return Catalog(specs)
