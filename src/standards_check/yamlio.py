"""YAML loading for files users and repositories write: safe, bounded, fast, dates kept as strings,
positions kept. Every YAML read of repository content, `.standards.yml`, policies and the catalog goes
through here; JSON, JSON5 and TOML go through `dataio` with the same bounds and the same error.

- Only the safe loader is used (nothing read is ever executed), the C one when libyaml is present
  (4.6-8.7x faster, DESIGN.md §7).
- Timestamps stay strings: `expires: 2027-03-31` is validated as text, as JSON Schema sees it.
- `load_with_positions` also returns where each value stands, keyed by its path of keys and
  indexes, so a schema error can name file:line:column.

Bounds. Hostile YAML is refused (`Refused`, a YamlSyntaxError at the line and column where a bound
was crossed) before a node is built, by one pass over the parser's events that keeps nothing:
- MAX_BYTES (4 MiB) of text. The snapshot already caps repository files at 2 MiB; this bounds
  policies read from disk.
- MAX_NODES (250,000) nodes per file, counted after alias expansion: an alias counts the whole
  subtree it stands for, so a "billion laughs" chain of anchors stops at the first alias that crosses
  the budget, and a flood of plain nodes (a 2 MB flow list is a million nodes, 3 s and 360 MB to
  build) stops too. Real files are far below: a large GitHub workflow has a few thousand nodes,
  kube-prometheus' largest CustomResourceDefinition (800 KB) 17,000 nodes and 27 levels.
- MAX_ALIASES (10,000) alias uses per file, and no alias may refer to a collection that contains
  it (an endless structure).
- MAX_DEPTH (100) levels of nested collections. libyaml stops at 1,000, but the walkers after it
  (positions, JSON Schema, checks) recurse in Python, several frames per level.
- SCAN_NODES (1,000,000) nodes per scan, across every file it parses, when the caller opened a
  `scan_budget()` (the engine does, per scan): many files each just under MAX_NODES cannot add up
  to an unbounded scan (whole real scans use tens of thousands). A file is charged once, however
  many facts read it. What was refused is recorded there by source, and the report names it.
Construction shares the objects of an anchor among its aliases (PyYAML builds each node once), and
`record_positions` walks an anchored collection once, so nothing downstream of the bound is
exponential either. The cyclic garbage collector is paused while a document is built (parsed data
holds no cycles), which keeps building a large document linear.
"""
from __future__ import annotations

import contextlib
import contextvars
import gc
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import yaml

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 250_000
MAX_ALIASES = 10_000
MAX_DEPTH = 100
SCAN_NODES = 1_000_000

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


@dataclass(frozen=True)
class Refused(YamlSyntaxError, ValueError):
    """Data refused before it was built: too large, too deep, or aliases that expand too far.
    A ValueError too, so code that treats unparsable JSON as a ValueError treats this the same."""


@dataclass
class ScanBudget:
    """Nodes one scan may still parse, and what it refused (source -> reason)."""

    nodes: int = SCAN_NODES
    refused: dict[str, str] = field(default_factory=dict)
    charged: dict[str, int] = field(default_factory=dict)  # source -> nodes taken for it


_BUDGET: contextvars.ContextVar[ScanBudget | None] = contextvars.ContextVar("standards_check_budget", default=None)


@contextlib.contextmanager
def scan_budget(nodes: int = SCAN_NODES) -> Iterator[ScanBudget]:
    """Every parse inside the block shares one budget of `nodes` and records what it refused."""
    token = _BUDGET.set(ScanBudget(nodes))
    try:
        yield _BUDGET.get()  # type: ignore[misc]
    finally:
        _BUDGET.reset(token)


def refuse(reason: str, source: str | None, line: int | None = None, column: int | None = None) -> Refused:
    """The error for a refused file, recorded in the scan's budget when it names its source."""
    budget = _BUDGET.get()
    if budget is not None and source is not None:
        budget.refused.setdefault(source, reason)
    return Refused(reason, line, column)


def charge(nodes: int, source: str | None, line: int | None = None, column: int | None = None) -> None:
    """Take `nodes` from the scan's budget (if one is open); Refused when it is spent.

    A file is charged once: the facts that read the same file again get the same answer, so a file
    is either read everywhere or refused everywhere."""
    budget = _BUDGET.get()
    if budget is None or (source is not None and budget.charged.get(source) == nodes):
        return
    if nodes > budget.nodes:
        raise refuse(f"refused: the scan's budget of {SCAN_NODES:,} parsed nodes is spent", source, line, column)
    budget.nodes -= nodes
    if source is not None:
        budget.charged[source] = nodes


def _checked_size(text: str, source: str | None) -> None:
    if len(text) > MAX_BYTES:
        raise refuse(f"refused: larger than {MAX_BYTES // (1024 * 1024)} MiB ({len(text):,} characters)", source, 1, 1)


def measure(text: str, loader: type, source: str | None = None) -> int:
    """Check `text` against the bounds in one pass over the parser's events (nothing is built);
    return its node count after alias expansion. Raises Refused, or YamlSyntaxError for bad YAML."""
    _checked_size(text, source)
    parser = loader(text)
    expanded = aliases = 0
    open_: list[tuple[str | None, int]] = []   # (anchor, count before it) of each open collection
    sizes: dict[str, int] = {}                 # anchor -> nodes its value stands for
    scalar, alias, ends = yaml.ScalarEvent, yaml.AliasEvent, (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    try:
        while True:
            event = parser.get_event()
            if event is None:
                break
            kind = type(event)
            if kind is scalar:
                expanded += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif kind is alias:
                aliases += 1
                if any(anchor == event.anchor for anchor, _ in open_):
                    raise _refused_at("refused: a YAML alias refers to a collection that contains it "
                                      "(an endless structure)", source, event)
                expanded += sizes.get(event.anchor, 1)  # an unknown anchor is the composer's error
                if aliases > MAX_ALIASES:
                    raise _refused_at(f"refused: more than {MAX_ALIASES:,} YAML aliases", source, event)
                if expanded > MAX_NODES:
                    raise _refused_at(f"refused: YAML aliases expand past {MAX_NODES:,} nodes", source, event)
            elif kind in starts:
                expanded += 1
                open_.append((event.anchor, expanded - 1))
                if len(open_) > MAX_DEPTH:
                    raise _refused_at(f"refused: YAML nested deeper than {MAX_DEPTH} levels", source, event)
            elif kind in ends:
                anchor, before = open_.pop()
                if anchor is not None:
                    sizes[anchor] = expanded - before
            if expanded > MAX_NODES:
                raise _refused_at(f"refused: more than {MAX_NODES:,} YAML nodes", source, event)
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None
    except RecursionError:  # the pure-Python parser, without libyaml's own nesting limit
        raise refuse(f"refused: YAML nested deeper than {MAX_DEPTH} levels", source) from None
    finally:
        parser.dispose()
    charge(expanded, source)
    return expanded


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Building a large document allocates objects that the cyclic collector would walk again and
    again as they accumulate (a 10,000-rule policy took 3x longer with it on). Parsed data holds no
    cycles (recursive aliases are refused), so reference counting frees it: pause the collector."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _refused_at(reason: str, source: str | None, event: Any) -> Refused:
    mark = event.start_mark
    return refuse(reason, source, mark.line + 1, mark.column + 1)


def syntax_error(exc: yaml.YAMLError) -> YamlSyntaxError:
    """Our error, at the line and column PyYAML names."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return YamlSyntaxError(f"invalid YAML: {problem}", line, column)


def load(text: str, source: str | None = None) -> Any:
    """Parse one YAML document (dates as strings). Raises YamlSyntaxError (Refused past the bounds).
    `source` names the file in the scan's record of refusals."""
    measure(text, StringDateLoader, source)
    try:
        with _gc_paused():
            return yaml.load(text, Loader=StringDateLoader)
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None


def load_all(text: str, source: str | None = None) -> list[Any]:
    """Parse every document of a YAML stream (dates as strings). Raises YamlSyntaxError."""
    measure(text, StringDateLoader, source)
    try:
        with _gc_paused():
            return [doc for doc in yaml.load_all(text, Loader=StringDateLoader)]
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None


def load_with_positions(text: str, loader: type = StringDateLoader,
                        source: str | None = None) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse one document; also map each value's path to its (line, column), 1-based.

    `loader` may be a subclass of StringDateLoader that knows a few more tags (GitLab's `!reference`).

    A mapping key's own position is recorded under the path with a trailing ("__key__",) marker
    removed: positions[path + ("__key__",)] is where the key is written.
    """
    measure(text, loader, source)
    parser = loader(text)
    positions: dict[Path_, tuple[int, int]] = {}
    try:
        with _gc_paused():
            return _single_with_positions(parser, positions)
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None
    finally:
        parser.dispose()


def _single_with_positions(parser: Any, positions: dict[Path_, tuple[int, int]]) -> tuple[Any, dict]:
    node = parser.get_single_node()
    if node is None:
        return None, positions
    record_positions(node, (), positions)  # before construction, which flattens merge keys in place
    return parser.construct_document(node), positions


def load_stream(text: str, keep: Callable[[Any], bool] | None = None, source: str | None = None,
                ) -> list[tuple[Any, dict[Path_, tuple[int, int]], int]]:
    """(data, positions, first line) of every non-empty document of a stream that `keep(data)` accepts
    (positions are recorded only for those: walking a large manifest costs as much as building it)."""
    measure(text, StringDateLoader, source)
    parser = StringDateLoader(text)
    documents: list[tuple[Any, dict[Path_, tuple[int, int]], int]] = []
    try:
        with _gc_paused():
            _stream(parser, keep, documents)
    except yaml.YAMLError as exc:
        raise syntax_error(exc) from None
    finally:
        parser.dispose()
    return documents


def _stream(parser: Any, keep: Callable[[Any], bool] | None, documents: list) -> None:
    while parser.check_node():
        node = parser.get_node()
        if node is None:
            continue
        data = parser.construct_document(node)
        if data is None or (keep is not None and not keep(data)):
            continue
        positions: dict[Path_, tuple[int, int]] = {}
        record_positions(node, (), positions)
        documents.append((data, positions, node.start_mark.line + 1))


def record_positions(node: yaml.Node, path: Path_, positions: dict[Path_, tuple[int, int]],
                     seen: set[int] | None = None) -> None:
    """(line, column) of each value under `node` by its key path, and of each key under
    path + (key, "__key__").

    An anchored collection is walked once: where an alias repeats it, only the alias's own path is
    recorded (at the anchor), and deeper paths there resolve to it through `position_of`.
    """
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a collection as a key: construction refuses it (unhashable)
            key = key_node.value
            positions[path + (key, "__key__")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            record_positions(value_node, path + (key,), positions, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            record_positions(item, path + (index,), positions, seen)


def dotted_path(path: tuple) -> str:
    """A path into a document as `rules[0].params.x`, for messages."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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
