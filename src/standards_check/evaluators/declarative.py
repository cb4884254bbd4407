"""Declarative checks a platform team writes in YAML, without Python: file_exists and file_contains.

Policy authors' patterns run on untrusted repository content, so they are compiled with RE2, whose
matching takes linear time in the input: a hostile file cannot make a scan hang on backtracking.
Globs are the project's one glob engine, `standards_check.globs` (wcmatch's globstar semantics,
matched in linear time by RE2), giving one expression per check, matched against the listed paths.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

from standards_check.context import CheckContext
from standards_check.globs import GlobError, compile_globs as _compile_globs
from standards_check.model import Location, Outcome
from standards_check.values import as_list

# The parameter schemas of each declarative type (JSON Schema fragments with defaults).
PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "file_exists": {
        "globs": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1,
                  "default": [], "description": "Glob patterns (** spans directories), matched against repository paths."},
        "mode": {"enum": ["any", "all"], "default": "any",
                 "description": "any: one glob matching is enough; all: every glob must match."},
        "min_count": {"type": "integer", "minimum": 1, "default": 1,
                      "description": "Fewest matching files required (per glob with mode all)."},
    },
    "file_contains": {
        "glob": {"anyOf": [{"type": "string", "minLength": 1},
                           {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}],
                 "default": "**", "description": "Which files to search (glob or list of globs)."},
        "pattern": {"type": "string", "minLength": 1, "default": ".",
                    "description": "An RE2 regular expression searched in each file, line by line (^ and $ match at lines)."},
        "mode": {"enum": ["any", "all", "none"], "default": "any",
                 "description": "any: some file contains it; all: every matching file does; none: no file may (a forbidden pattern)."},
        "ignore_case": {"type": "boolean", "default": False, "description": "Match without regard to case."},
        "max_files": {"type": "integer", "minimum": 1, "default": 2000,
                      "description": "Most files read; more matching files than this is an error, never a silent pass."},
    },
}


class PatternError(ValueError):
    """A declarative check's glob or pattern does not compile."""


def compile_globs(globs: tuple[str, ...]) -> Any:
    """One RE2 expression fully matching the repository paths any of the globs matches."""
    try:
        return _compile_globs(globs)
    except GlobError as exc:
        raise PatternError(str(exc)) from None


@lru_cache(maxsize=512)
def compile_pattern(pattern: str, ignore_case: bool = False) -> Any:
    """An RE2 pattern in Perl syntax ((?:...), \\d, \\b, (?i)...), multi-line: ^ and $ match at lines."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    try:
        return re2.compile("(?m)" + pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        reason = reason.replace("(?m)" + pattern, pattern)  # the error quotes what it compiled
        raise PatternError(f"invalid RE2 pattern {pattern!r}: {reason}") from None


def validate(check_type: str, params: dict[str, Any]) -> None:
    """Compile the globs and pattern once, so a bad one is a load-time error with file:line."""
    if check_type == "file_exists":
        for pattern in params.get("globs", []):
            compile_globs((pattern,))
    elif check_type == "file_contains":
        compile_globs(tuple(as_list(params.get("glob", "**"))))
        compile_pattern(params.get("pattern", "."), bool(params.get("ignore_case")))


def _matching(ctx: CheckContext, globs: list[str]) -> list[str]:
    regex = compile_globs(tuple(globs))
    return [path for path in ctx.snapshot.paths if regex.fullmatch(path)]


def file_exists(ctx: CheckContext, params: dict[str, Any]) -> Outcome:
    globs: list[str] = params["globs"]
    if not globs:
        return Outcome.errored("this file_exists check names no globs")
    need = params["min_count"]
    found = {pattern: _matching(ctx, [pattern]) for pattern in globs}
    if params["mode"] == "all":
        satisfied = [p for p in globs if len(found[p]) >= need]
        missing = [p for p in globs if p not in satisfied]
        locations = [Location(path) for p in satisfied for path in found[p][:5]]
        if not missing:
            return Outcome.passed(f"every pattern matched: {', '.join(globs)}", locations)
        return Outcome.failed(f"no file (or fewer than {need}) matches: {', '.join(missing)}", locations,
                              score=len(satisfied) / len(globs))
    matches = sorted({path for paths in found.values() for path in paths})
    locations = [Location(path) for path in matches[:10]]
    if len(matches) >= need:
        return Outcome.passed(f"found {len(matches)} file(s) matching {', '.join(globs)}", locations)
    if matches:
        return Outcome.failed(f"found {len(matches)} file(s) matching {', '.join(globs)}; the rule asks for {need}",
                              locations, score=len(matches) / need)
    return Outcome.failed(f"no file matches {', '.join(globs)}")


def file_contains(ctx: CheckContext, params: dict[str, Any]) -> Outcome:
    globs = as_list(params["glob"])
    regex = compile_pattern(params["pattern"], params["ignore_case"])
    files = _matching(ctx, globs)
    mode = params["mode"]
    if not files:
        if mode == "none":
            return Outcome.passed(f"no file matches {', '.join(globs)}, so none contains the pattern")
        return Outcome.failed(f"no file matches {', '.join(globs)} to search for /{params['pattern']}/")
    if len(files) > params["max_files"]:
        return Outcome.errored(f"{len(files)} files match {', '.join(globs)}, more than max_files "
                               f"({params['max_files']}); narrow the glob or raise max_files")
    ctx.snapshot.prefetch(files)
    hits: dict[str, int] = {}
    unreadable = []
    for path in files:
        text = ctx.snapshot.read_text(path)
        if text is None:
            unreadable.append(path)
            continue
        match = regex.search(text)
        if match is not None:
            hits[path] = text.count("\n", 0, match.start()) + 1
    searched = len(files) - len(unreadable)
    hit_locations = [Location(path, line) for path, line in sorted(hits.items())]
    pattern = f"/{params['pattern']}/"
    if mode == "none":
        if hits:
            return Outcome.failed(f"{len(hits)} of {searched} file(s) contain the forbidden pattern {pattern}",
                                  hit_locations[:50], score=1 - len(hits) / max(searched, 1))
        return Outcome.passed(f"none of {searched} file(s) contains {pattern}")
    if mode == "any":
        if hits:
            return Outcome.passed(f"{pattern} found in {len(hits)} of {searched} file(s)", hit_locations[:10])
        return Outcome.failed(f"{pattern} not found in any of {searched} file(s) matching {', '.join(globs)}",
                              [Location(p) for p in files[:10]])
    lacking = [p for p in files if p not in hits]
    if not lacking:
        return Outcome.passed(f"all {len(files)} file(s) contain {pattern}", hit_locations[:10])
    return Outcome.failed(f"{len(lacking)} of {len(files)} file(s) lack {pattern}",
                          [Location(p) for p in lacking[:50]], score=len(hits) / len(files))


EVALUATORS = {"file_exists": file_exists, "file_contains": file_contains}
