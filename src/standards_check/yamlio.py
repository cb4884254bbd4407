"""YAML loading for files users and repositories write: safe, fast, dates kept as strings, positions kept.

- Only the safe loader is used (nothing read is ever executed), the C one when libyaml is present
  (4.6-8.7x faster, DESIGN.md §7).
- Timestamps stay strings: `expires: 2027-03-31` is validated as text, as JSON Schema sees it.
- `load_with_positions` also returns where each value stands, keyed by its path of keys and
  indexes, so a schema error can name file:line:column.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StringDateLoader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, without the implicit timestamp type."""


StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

Path_ = tuple  # a path of mapping keys (str) and sequence indexes (int)


@dataclass(frozen=True)
class YamlSyntaxError(Exception):
    message: str
    line: int | None
    column: int | None

    def __str__(self) -> str:
        return self.message


def syntax_error(exc: yaml.YAMLError) -> YamlSyntaxError:
    """Our error, at the line and column PyYAML names."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return YamlSyntaxError(f"invalid YAML: {problem}", line, column)


def load(text: str) -> Any:
    """Parse one YAML document (dates as strings). Raises YamlSyntaxError."""
    try:
        return yaml.load(text, Loader=StringDateLoader)
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None


def load_all(text: str) -> list[Any]:
    """Parse every document of a YAML stream (dates as strings). Raises YamlSyntaxError."""
    try:
        return [doc for doc in yaml.load_all(text, Loader=StringDateLoader)]
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None


def load_with_positions(text: str, loader: type = StringDateLoader) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse one document; also map each value's path to its (line, column), 1-based.

    `loader` may be a subclass of StringDateLoader that knows a few more tags (GitLab's `!reference`).

    A mapping key's own position is recorded under the path with a trailing ("__key__",) marker
    removed: positions[path + ("__key__",)] is where the key is written.
    """
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None
    positions: dict[Path_, tuple[int, int]] = {}
    if node is not None:
        record_positions(node, (), positions)
    return data, positions


def record_positions(node: yaml.Node, path: Path_, positions: dict[Path_, tuple[int, int]]) -> None:
    """(line, column) of each value under `node` by its key path, and of each key under
    path + (key, "__key__")."""
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            positions[path + (key, "__key__")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            record_positions(value_node, path + (key,), positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            record_positions(item, path + (index,), positions)


def position_of(positions: dict[Path_, tuple[int, int]], path: Path_) -> tuple[int | None, int | None]:
    """The position of the deepest known prefix of `path`."""
    path = tuple(path)
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return positions.get((), (None, None))


def line_of_key(text: str, key: str) -> int | None:
    """1-based line of the first line starting a mapping entry `key:` (for quick evidence)."""
    needle = f"{key}:"
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().lstrip("- ").startswith(needle):
            return number
    return None
