"""JSON, JSON5 and TOML from repositories, under the bounds YAML has (`yamlio`).

package.json, renovate.json(5), pyproject.toml, ruff.toml, .golangci.toml: text larger than
yamlio.MAX_BYTES, nesting deeper than yamlio.MAX_DEPTH (Python's own parsers recurse, and so do the
walkers after them) or more than yamlio.MAX_NODES values is refused with `yamlio.Refused` (a
ValueError, so callers that treat unparsable JSON as a ValueError need nothing new), recorded in
the scan's budget under `source`; the values parsed count against that budget too.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from standards_check.yamlio import MAX_BYTES, MAX_DEPTH, MAX_NODES, Refused, charge, refuse

def load_json(text: str, source: str | None = None) -> Any:
    """json.loads, bounded. Raises ValueError (Refused past the bounds)."""
    return _bounded(json.loads, text, source, "JSON")


def load_json_or_json5(text: str, source: str | None = None) -> Any:
    """JSON, else JSON5 (comments, trailing commas, bare keys) as Renovate reads it. Raises ValueError."""
    try:
        return load_json(text, source)
    except Refused:
        raise
    except ValueError:
        return _bounded(_json5, text, source, "JSON5")


def _json5(text: str) -> Any:
    import pyjson5

    try:
        return pyjson5.decode(text, maxdepth=MAX_DEPTH)
    except pyjson5.Json5NestingTooDeep:
        raise RecursionError from None  # refused as too deep, as the other parsers are
    except pyjson5.Json5Exception as exc:  # not a ValueError: say it as one
        raise ValueError(exc.args[0] if exc.args else str(exc)) from None


def load_toml(text: str, source: str | None = None) -> Any:
    """tomllib.loads, bounded. Raises ValueError (tomllib.TOMLDecodeError is one; Refused too)."""
    import tomllib

    return _bounded(tomllib.loads, text, source, "TOML")


def _bounded(parse: Callable[[str], Any], text: str, source: str | None, kind: str) -> Any:
    if len(text) > MAX_BYTES:
        raise refuse(f"refused: larger than {MAX_BYTES // (1024 * 1024)} MiB", source)
    try:
        data = parse(text)
    except RecursionError:
        raise refuse(f"refused: {kind} nested deeper than {MAX_DEPTH} levels", source) from None
    charge(_measure(data, source, kind), source)
    return data


def _measure(data: Any, source: str | None, kind: str) -> int:
    """How many values `data` holds; Refused when nested deeper than MAX_DEPTH or too many."""
    count = 0
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise refuse(f"refused: more than {MAX_NODES:,} {kind} values", source)
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise refuse(f"refused: {kind} nested deeper than {MAX_DEPTH} levels", source)
        stack.extend((child, depth + 1) for child in children)
    return count
