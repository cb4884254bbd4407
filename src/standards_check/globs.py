"""The one glob engine: wcmatch's semantics, matched in linear time.

Every glob over repository paths goes through here: declarative checks' globs, `.standards.yml`
`exclude:`, GitLab `include:` wildcards and Backstage Location targets. The semantics are wcmatch's
with GLOBSTAR, DOTGLOB, BRACE and NEGATE: `*` and `?` stay within one path segment, `**` as a whole
segment spans directories (none or more), dot files match, `{a,b}` expands and a leading `!` excludes.

wcmatch checks and brace-expands each glob; `_glob_source` translates it to RE2, because wcmatch's
own translation is a Python regular expression whose `**` chains backtrack (`**/a/**/a/**/a/**/b`
took seconds on a path 200 directories deep) and globs come from the repository being scanned.

Two matchers keep their own semantics on purpose: CODEOWNERS patterns (facts/codeowners.py, GitHub's
gitignore-like rules) and sweep repository-name filters (sweep/sources.py, names, not paths).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

import bracex

from standards_check import rx


class GlobError(ValueError):
    """A glob wcmatch rejects (bad syntax, a brace expansion past its limit)."""


def glob_flags() -> int:  # a function so that wcmatch is imported only when a glob is used
    """wcmatch's flags for the engine's semantics."""
    from wcmatch import glob as wcglob

    return wcglob.GLOBSTAR | wcglob.DOTGLOB | wcglob.BRACE | wcglob.NEGATE


def matching(paths: Iterable[str], globs: tuple[str, ...]) -> list[str]:
    """The paths any of the globs matches, in their order. Raises GlobError for an invalid glob."""
    regex = compile_globs(globs)
    return [path for path in paths if regex.fullmatch(path)]


def literal(text: str, wildcards: str = "*") -> str:
    """`text` as a glob in which only the characters of `wildcards` are special (GitLab's include
    wildcards: only `*` and `**`; `?`, `[`, `{` and `\\` name themselves)."""
    return "".join(ch if ch in wildcards or ch not in "*?[]{}!\\" else "\\" + ch for ch in text)


@lru_cache(maxsize=512)
def compile_globs(globs: tuple[str, ...]) -> Any:
    """One RE2 expression fully matching the repository paths any of the globs matches."""
    from wcmatch import glob as wcglob  # imported by the first glob, not at every scan

    flags = glob_flags()
    parts: list[str] = []
    for pattern in globs:
        try:
            wcglob.translate(pattern, flags=flags)  # wcmatch says whether the glob is valid
            expanded = bracex.expand(pattern, keep_escapes=True, limit=1000)
        except Exception as exc:  # wcmatch raises several types for bad patterns
            raise GlobError(f"invalid glob {pattern!r}: {exc}") from None
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
    """(index of the closing `]`, the RE2 class) for a `[...]` at `start`, or (-1, "") if unclosed.
    As wcmatch reads it: a reversed range (`z-a`) is dropped, and a class left empty matches nothing."""
    i = start + 1
    negated = i < len(segment) and segment[i] in "!^"
    i += negated
    tokens: list[tuple[str, bool]] = []  # (a character or a POSIX class, is a plain character)
    if i < len(segment) and segment[i] == "]":  # a leading `]` is a member
        tokens.append(("]", True))
        i += 1
    while i < len(segment) and segment[i] != "]":
        if segment.startswith("[:", i):
            close = segment.find(":]", i + 2)
            if close > 0:
                tokens.append((segment[i : close + 2], False))  # POSIX class, which RE2 reads as written
                i = close + 2
                continue
        if segment[i] == "\\" and i + 1 < len(segment):
            tokens.append((segment[i + 1], True))
            i += 2
            continue
        tokens.append((segment[i], segment[i] != "-"))  # a `-` not escaped may join a range
        i += 1
    if i >= len(segment):
        return -1, ""
    body = []
    k = 0
    while k < len(tokens):
        text, plain = tokens[k]
        if plain and k + 2 < len(tokens) and tokens[k + 1] == ("-", False) and tokens[k + 2][1]:
            low, high = text, tokens[k + 2][0]
            if low <= high:
                body.append(f"{rx.escape(low)}-{rx.escape(high)}")
            k += 3
            continue
        body.append(text if text.startswith("[:") else rx.escape(text))
        k += 1
    if not body:
        return i, "[^/]" if negated else "[^\\s\\S]"
    return i, ("[^/" if negated else "[") + "".join(body) + "]"
