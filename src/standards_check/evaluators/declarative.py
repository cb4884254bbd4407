"""Declarative checks a platform team writes in YAML, without Python: file_exists and file_contains.

Policy authors' patterns run on untrusted repository content, so they are compiled with RE2, whose
matching takes linear time in the input: a hostile file cannot make a scan hang on backtracking.
Globs use wcmatch's globstar semantics (`**` spans directories, `*` does not). wcmatch checks and
brace-expands them; `_glob_source` translates each to RE2 (wcmatch's own translation is a Python
regular expression whose `**` chains backtrack: `**/a/**/a/**/a/**/b` took seconds on a path 200
directories deep), giving one linear-time expression per check, matched against the listed paths.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import bracex
import re2

from standards_check import rx
from standards_check.context import CheckContext
from standards_check.model import Location, Outcome

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


def glob_flags() -> int:
    """wcmatch's flags for a declarative check's globs."""
    from wcmatch import glob as wcglob

    return wcglob.GLOBSTAR | wcglob.DOTGLOB | wcglob.BRACE | wcglob.NEGATE


class PatternError(ValueError):
    """A declarative check's glob or pattern does not compile."""


@lru_cache(maxsize=512)
def compile_globs(globs: tuple[str, ...]) -> Any:
    """One RE2 expression fully matching the repository paths any of the globs matches."""
    from wcmatch import glob as wcglob  # imported by the first declarative check, not at every scan

    flags = glob_flags()
    parts: list[str] = []
    for pattern in globs:
        try:
            wcglob.translate(pattern, flags=flags)  # wcmatch says whether the glob is valid
            expanded = bracex.expand(pattern, keep_escapes=True, limit=1000)
        except Exception as exc:  # wcmatch raises several types for bad patterns
            raise PatternError(f"invalid glob {pattern!r}: {exc}") from None
        # `!glob` is an exclusion (wcmatch's NEGATE): it adds no path of its own
        parts.extend(_glob_source(p) for p in expanded if not p.startswith("!"))
    return rx.compile("|".join(f"(?:{p})" for p in parts) if parts else "[^\\s\\S]")


def _glob_source(pattern: str) -> str:
    """A brace-free glob as RE2 over repository paths (no empty, `.` or `..` segments), as wcmatch
    reads it with GLOBSTAR and DOTGLOB: `**` alone is any path; a leading `**/` any directories
    before, a middle `/**/` any between, a trailing `/**` one or more segments below; `*` and `?`
    stay within a segment; `[...]`, `[!...]` and `[^...]` are classes; `\\` escapes."""
    segments: list[str] = []
    for segment in pattern.split("/"):
        if not (segment == "**" and segments[-1:] == ["**"]):  # `**/**` is `**`
            segments.append(segment)
    if segments == ["**"]:
        return "(?s:.*)"
    out: list[str] = []
    for i, segment in enumerate(segments):
        first, last = i == 0, i == len(segments) - 1
        if segment == "**":
            out.append("(?s:/.+)" if last else "(?s:.*/)?" if first else "/(?s:.*/)?")
            continue
        if not first and segments[i - 1] != "**":
            out.append("/")
        out.append(_segment_source(segment))
    return "".join(out)


def _segment_source(segment: str) -> str:
    out = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            out.append(rx.escape(segment[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end, cls = _class_source(segment, i)
            if end < 0:
                out.append(rx.escape(ch))
            else:
                out.append(cls)
                i = end
        else:
            out.append(rx.escape(ch))
        i += 1
    return "".join(out)


def _class_source(segment: str, start: int) -> tuple[int, str]:
    """(index of the closing `]`, the RE2 class) for a `[...]` at `start`, or (-1, "") if unclosed."""
    i = start + 1
    negated = i < len(segment) and segment[i] in "!^"
    i += negated
    body = []
    if i < len(segment) and segment[i] == "]":  # a leading `]` is a member
        body.append("\\]")
        i += 1
    while i < len(segment) and segment[i] != "]":
        if segment.startswith("[:", i):
            close = segment.find(":]", i + 2)
            if close > 0:
                body.append(segment[i : close + 2])  # POSIX class, which RE2 reads as written
                i = close + 2
                continue
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            body.append(rx.escape(segment[i + 1]))
            i += 2
            continue
        body.append(ch if ch == "-" else rx.escape(ch))
        i += 1
    if i >= len(segment):
        return -1, ""
    return i, ("[^/" if negated else "[") + "".join(body) + "]"


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
        compile_globs(tuple(_as_list(params.get("glob", "**"))))
        compile_pattern(params.get("pattern", "."), bool(params.get("ignore_case")))


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


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
    globs = _as_list(params["glob"])
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
