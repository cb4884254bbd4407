"""Regular expressions for repository content, in time linear in the text (RE2).

Python's `re` backtracks: `<!--.*?-->` over a line of unclosed `<!--`, or a heading pattern with two
quantifiers over the same spaces, takes quadratic or cubic time, so one hostile Markdown file stalls
a scan. RE2 never backtracks. Every pattern applied to text, names or paths read from a repository
goes through this module (a test enforces it), with `re`'s interface and flags:

    rx.compile(r"^#{1,6}\\s", rx.M).search(text)      rx.sub(r"<!--.*?-->", "", line)

What RE2 does not have, the patterns here avoid: look-around and backreferences (a pattern using
them fails when compiled, so at import). `\\Z` is accepted and means RE2's `\\z`. RE2's `\\w`, `\\d`,
`\\s` and `\\b` are ASCII, which is what the patterns here mean: keywords, numbers, separators.

Speed: google-re2's Python wrapper spends most of a call converting between character and byte
offsets. For ASCII text (nearly all of it) the offsets are the same, so `_Linear` asks RE2 directly and
is several times faster; other text takes the wrapper's exact path.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterator

import re2

I = IGNORECASE = re.IGNORECASE
M = MULTILINE = re.MULTILINE
S = DOTALL = re.DOTALL
_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}

error = re2.error
escape = re.escape  # RE2 reads Python's escapes (a backslash before any punctuation or space)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a bad pattern raises; RE2 need not also write to stderr
_NULL = (-1, -1)


class _Linear(re2._Regexp):  # type: ignore[misc]  # re2 has no type information
    """An RE2 pattern with `re.Pattern`'s methods; ASCII text skips the offset conversion."""

    __slots__ = ()

    def _match(self, anchor: Any, text: Any, pos: int | None = None, endpos: int | None = None) -> Iterator[Any]:
        if not (isinstance(text, str) and text.isascii()):
            yield from super()._match(anchor, text, pos, endpos)
            return
        data = text.encode("ascii")
        pos = 0 if pos is None else max(0, min(pos, len(data)))
        endpos = len(data) if endpos is None else max(0, min(endpos, len(data)))
        if pos > endpos:
            return
        match = self._regexp.Match
        while True:
            spans = match(anchor, data, pos, endpos)
            if spans[0] == _NULL:
                return
            yield re2._Match(self, text, pos, endpos, spans)
            if pos == endpos:
                return
            pos = pos + 1 if pos == spans[0][1] else spans[0][1]  # an empty match moves on by one


Pattern = _Linear


def _translate(pattern: str) -> str:
    r"""Python's `\Z` (end of text) is RE2's `\z`; every other escape is left as written."""
    if "\\Z" not in pattern:
        return pattern
    out = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append("\\z" if pattern[i + 1] == "Z" else pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=512)
def compile(pattern: str, flags: int = 0) -> _Linear:  # noqa: A001 - re's name, on purpose
    """`re.compile` for RE2: flags I, M and S; raises `rx.error` for what RE2 cannot do."""
    if isinstance(pattern, _Linear):
        return pattern
    unknown = flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL)
    if unknown:
        raise ValueError(f"rx supports only the I, M and S flags, not {re.RegexFlag(unknown)!r}")
    inline = "".join(letter for flag, letter in _FLAGS.items() if flags & flag)
    text = _translate(pattern)
    if inline:
        text = f"(?{inline}){text}"
    return _Linear(text, _OPTIONS)


def search(pattern: str, text: str, flags: int = 0) -> Any:
    return compile(pattern, flags).search(text)


def match(pattern: str, text: str, flags: int = 0) -> Any:
    return compile(pattern, flags).match(text)


def fullmatch(pattern: str, text: str, flags: int = 0) -> Any:
    return compile(pattern, flags).fullmatch(text)


def findall(pattern: str, text: str, flags: int = 0) -> list[Any]:
    return compile(pattern, flags).findall(text)  # type: ignore[no-any-return]


def finditer(pattern: str, text: str, flags: int = 0) -> Iterator[Any]:
    return compile(pattern, flags).finditer(text)  # type: ignore[no-any-return]


def sub(pattern: str, repl: str | Callable[[Any], str], text: str, count: int = 0, flags: int = 0) -> str:
    return compile(pattern, flags).sub(repl, text, count)  # type: ignore[no-any-return]


def split(pattern: str, text: str, maxsplit: int = 0, flags: int = 0) -> list[Any]:
    return compile(pattern, flags).split(text, maxsplit)  # type: ignore[no-any-return]
