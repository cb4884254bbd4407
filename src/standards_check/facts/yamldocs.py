"""Multi-document YAML with positions, and cheap name-first selection of candidate files.

Shared by the SLO and alerting-rule facts. `yamlio.load_with_positions` reads one document; SLO and
rule files are often streams (`---`) and Kubernetes manifests, so this reads every document of a
stream once (`yamlio.load_stream`: one compose per document, construction from the same node).
Timestamps stay strings, as everywhere in standards-check.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from standards_check import yamlio
from standards_check.facts import scope
from standards_check.snapshot import RepoSnapshot

YAML_SUFFIXES = (".yaml", ".yml")

# Directories whose YAML is not the repository's own practice (examples, fixtures, test data,
# vendored and generated code): see facts/scope.py, which also reads `exclude:` of .standards.yml.
IGNORED_DIRS = scope.BUILTIN_EXCLUDED_DIRS


@dataclass
class YamlDocument:
    """One document of a YAML stream, with the (line, column) of each value by its key path."""

    data: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    line: int = 1  # where the document starts

    def line_of(self, *path: Any) -> int:
        """Line of the value at `path` (keys and indexes), or of its nearest parent.

        For a mapping entry this is the line of its key (`spec:`), not of the first nested value:
        that is the line a reader looks at for "spec: 'service' is a required property".
        """
        path = tuple(path)
        while True:
            position = self.positions.get(path + ("__key__",)) or self.positions.get(path)
            if position is not None:
                return position[0]
            if not path:
                return self.line
            path = path[:-1]


def load_documents(text: str, keep: Callable[[Any], bool] | None = None,
                   source: str | None = None) -> list[YamlDocument]:
    """Every non-empty document of a YAML stream. Raises yamlio.YamlSyntaxError (yamlio.Refused
    past the loader's bounds; `source` names the file in the scan's record of refusals).

    `keep(data)` filters documents before their positions are recorded (walking a large manifest
    for positions costs as much as building it, so it is done only for documents that matter).
    """
    return [YamlDocument(data, positions, line) for data, positions, line in yamlio.load_stream(text, keep, source)]


def looks_templated(text: str) -> bool:
    """Go/Helm/Jinja templating that YAML cannot be expected to parse."""
    return "{{" in text or "{%" in text


def select_yaml(snapshot: RepoSnapshot, hints: tuple[str, ...],
                wanted: Callable[[str, tuple[str, ...]], bool], left_out: list[str] | None = None) -> list[str]:
    """YAML paths that contain one of `hints` (lowercase substrings) and satisfy
    `wanted(lowercase file name, lowercase directory parts)`.

    One pass of plain substring tests over the listing, the precise test only on the few paths a
    hint matched; no regular expressions, no reads (DESIGN.md §7).
    """
    selected = []
    for path in snapshot.ending(YAML_SUFFIXES):
        lowered = path.lower()
        if not any(hint in lowered for hint in hints):
            continue
        *dirs, name = lowered.split("/")
        if not wanted(name, tuple(dirs)):
            continue
        if scope.excluded(snapshot, path):
            if left_out is not None:
                left_out.append(path)  # an example's, a fixture's, vendored or declared not the team's own
            continue
        selected.append(path)
    return selected


_NOT_PRACTICE_YAML = (".github/", ".gitlab-ci", ".circleci/", ".pre-commit", "docker-compose", "compose.y",
                      "package-lock", "pnpm-lock", "yarn.lock", ".golangci", "codecov.y", "mkdocs.y",
                      "renovate", "dependabot", ".readthedocs", "_config.y", "pubspec", "chart.lock")


def other_yaml(snapshot: RepoSnapshot, chosen: Iterable[str], limit: int, suffixes: tuple[str, ...] = ()) -> list[str]:
    """YAML files (and files with `suffixes`) not already `chosen`, to be judged by their content:
    the repository's own (see facts/scope.py), not CI or tool configuration, at most `limit`."""
    chosen = set(chosen)
    found: list[str] = []
    for path in snapshot.ending(YAML_SUFFIXES + suffixes):
        lowered = path.lower()
        if path in chosen or any(n in lowered for n in _NOT_PRACTICE_YAML):
            continue
        if scope.excluded(snapshot, path):
            continue
        found.append(path)
        if len(found) >= limit:
            break
    return found


def read_candidates(snapshot: RepoSnapshot, paths: Iterable[str]) -> Iterable[tuple[str, str | None]]:
    """(path, text) for each candidate, batching reads where the snapshot can. The text is None
    when the snapshot would not read the file; `snapshot.skipped[path]` then says why (too large,
    a link out of the repository), and binary files are left out."""
    paths = list(paths)
    snapshot.prefetch(paths)
    for path in paths:
        text = snapshot.read_text(path)
        if text is not None or path in snapshot.skipped:
            yield path, text
