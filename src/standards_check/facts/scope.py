"""Which paths are the repository's own practice documents (runbooks, SLOs, alert rules, ADRs).

Examples, fixtures, test data, generated output and vendored code hold runbooks, SLOs and alert
rules that are not the team's own: sample alerts generated from a monitoring mixin, an SLO
library's example specs, a vendored chart's rules. They are left out of those facts by directory
name (`BUILTIN_EXCLUDED_DIRS`, any depth, any case), and a team may leave out more with
`exclude:` globs in `.standards.yml` (the glob engine's wcmatch globstar syntax, repository-relative, e.g.
`deploy/upstream/**`). Only candidate paths are tested, never the whole listing (DESIGN.md §7).
"""
from __future__ import annotations

import weakref
from functools import lru_cache
from typing import Any, Iterable

from standards_check import globs, yamlio
from standards_check.snapshot import RepoSnapshot

# directory names (lower case) whose contents are not the repository's own practice documents
BUILTIN_EXCLUDED_DIRS = frozenset({
    # examples and samples
    "example", "examples", "sample", "samples", "demo", "demos",
    # tests' inputs
    "fixtures", "fixture", "__fixtures__", "testdata", "test-data", "test_data", "__snapshots__",
    # vendored and third-party code
    "node_modules", "vendor", "vendored", "third_party", "third-party", "thirdparty", "3rdparty", "external",
    "bower_components", ".git",
    # generated output
    "generated", "__generated__", "gen-src", "dist", "site-packages",
})
# parent/child pairs: `test/data`, `tests/data`, `tests/resources`
_NESTED_EXCLUDED = frozenset({("test", "data"), ("tests", "data"), ("test", "resources"),
                              ("tests", "resources"), ("spec", "fixtures"), ("src", "test")})


def builtin_excluded(path: str) -> bool:
    """Whether a directory of `path` is an example, fixture, test data, vendored or generated one."""
    dirs = path.lower().split("/")[:-1]
    if BUILTIN_EXCLUDED_DIRS.intersection(dirs):
        return True
    return any((a, b) in _NESTED_EXCLUDED for a, b in zip(dirs, dirs[1:]))


def _config_globs(snapshot: RepoSnapshot) -> tuple[str, ...]:
    """`exclude:` of .standards.yml, read leniently (the engine reports a malformed file)."""
    from standards_check.repoconfig import CONFIG_PATHS

    path = snapshot.first(CONFIG_PATHS)
    text = snapshot.read_text(path) if path else None
    if not text:
        return ()
    try:
        data: Any = yamlio.load(text)
    except yamlio.YamlSyntaxError:
        return ()
    globs = data.get("exclude") if isinstance(data, dict) else None
    if isinstance(globs, str):
        globs = [globs]
    return tuple(g.strip().lstrip("/") for g in globs if isinstance(g, str) and g.strip()) if isinstance(globs, list) else ()


_GLOBS: "weakref.WeakKeyDictionary[RepoSnapshot, tuple[str, ...]]" = weakref.WeakKeyDictionary()


def declared_globs(snapshot: RepoSnapshot) -> tuple[str, ...]:
    """The `exclude:` globs of the snapshot's .standards.yml, read once per snapshot."""
    if snapshot not in _GLOBS:
        _GLOBS[snapshot] = _config_globs(snapshot)
    return _GLOBS[snapshot]


def compile_glob(glob: str) -> Any:
    """One `exclude:` glob as the glob engine compiles it; a directory's glob covers what is below it.
    Raises ValueError for a glob wcmatch rejects (bad syntax, a brace expansion past its limit)."""
    glob = glob.rstrip("/") if glob.endswith("/") else glob
    glob = "\\" + glob if glob.startswith("!") else glob  # `exclude:` has no negation: `!` names itself
    return globs.compile_globs((glob, glob + "/**"))


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> list[Any]:
    compiled = []
    for glob in patterns:
        try:
            compiled.append(compile_glob(glob))
        except ValueError:
            continue  # the engine reports it from .standards.yml; a fact never fails on it
    return compiled


def declared_excluded(snapshot: RepoSnapshot, path: str) -> bool:
    patterns = declared_globs(snapshot)
    return bool(patterns) and any(glob.fullmatch(path) for glob in _compiled(patterns))


def excluded(snapshot: RepoSnapshot, path: str) -> bool:
    """Not the repository's own practice document: built-in directories, or `exclude:` globs."""
    return builtin_excluded(path) or declared_excluded(snapshot, path)


def own(snapshot: RepoSnapshot, paths: Iterable[str]) -> list[str]:
    """`paths` without the excluded ones, in order."""
    return [p for p in paths if not excluded(snapshot, p)]
