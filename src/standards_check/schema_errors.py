"""Turn JSON Schema errors into plain sentences at file:line:column."""
from __future__ import annotations

from typing import Any, Callable

from jsonschema.protocols import Validator
from jsonschema.exceptions import ValidationError

from standards_check import yamlio
from standards_check.yamlio import dotted_path
from standards_check.errors import Problem

Positions = dict[tuple, tuple[int, int]]


def _sentence(error: ValidationError) -> tuple[str, tuple]:
    """A plain sentence for one error, and the path of the value it is about."""
    path = tuple(error.absolute_path)
    where = dotted_path(path) or "top level"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(str(k) for k in error.instance if k not in allowed)
        key = extra[0] if extra else None
        known = ", ".join(sorted(allowed))
        prefix = f"{dotted_path(path)}: " if path else ""
        return (f"{prefix}unknown key {key!r} (known keys: {known})", path + ((key, "__key__") if key else ()))
    if error.validator == "required":
        return f"{where}: {error.message.replace(' is a required property', ' is required')}", path
    if error.validator == "enum":
        choices = ", ".join(repr(c) for c in error.validator_value)
        return f"{where}: {error.instance!r} is not one of {choices}", path
    if error.validator == "const":
        return f"{where}: must be {error.validator_value!r}, not {error.instance!r}", path
    if error.validator == "pattern":
        return f"{where}: {error.instance!r} does not have the expected form ({error.validator_value})", path
    return f"{where}: {error.message}", path


def problems_from_schema(validator: Validator, data: Any, positions: Positions | Callable[[], Positions],
                         file: str) -> list[Problem]:
    """Every schema error as a Problem at the position of the value (or key) it is about."""
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not errors:
        return []
    if callable(positions):
        positions = positions()
    problems = []
    for error in errors:
        message, path = _sentence(error)
        line, col = positions[path] if path in positions else yamlio.position_of(positions, path)
        problems.append(Problem(file, message, line, col))
    return problems
