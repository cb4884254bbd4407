"""Text read from a repository, made safe for each place it is written. One function per kind of output.

Repository strings — file names, CODEOWNERS owners, `uses:` values, catalog owners, waiver reasons,
and the messages that quote them — are untrusted. They may hold:

- bytes that are not UTF-8 (git file names are bytes; the snapshot keeps them as surrogate escapes,
  PEP 383). Every output shows such a byte as the four characters `\\xNN` (`unsurrogate`), the
  form Python's `backslashreplace` gives, so each format stays valid UTF-8 and no byte is lost. SARIF
  URIs percent-encode the raw bytes instead (`uri_path`), as RFC 3986 asks.
- control characters a terminal acts on: ESC sequences (colours, cursor moves, OSC 52 which writes
  the clipboard, OSC 8 links), BEL, CR and LF that forge lines, C1 controls (U+009B is a one-byte
  CSI), and the bidirectional embeddings, overrides and isolates that reorder what is shown.
  `printable` shows each as a visible escape (`\\x1b`, `\\r`, `\\n`, `\\u202e`).
- HTML and Markdown, for the Markdown we post or print (`--format markdown`, the PR comment, the
  job summary, the check run): `markdown_text`, `markdown_inline` (keeps our own code spans) and
  `markdown_code` (a path as one code span).
- spreadsheet formulas, for CSV: `csv_cell`.

JSON keeps the data (`json_text`, `unsurrogate_data`). docs/output-escaping.md has the table.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import re
import urllib.parse
from typing import Any, Callable, TypeVar, cast

T = TypeVar("T")

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 but TAB (and LF when lines are allowed), DEL, C1, ALM, LRM/RLM, LRE..RLO, LRI..PDI, lone
# surrogates, and the noncharacters U+FFFE/U+FFFF (which XML cannot carry either).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_NOT_PRINTABLE = re.compile(f"[\n{_CONTROLS}]")
_NOT_PRINTABLE_KEEP_LINES = re.compile(f"[{_CONTROLS}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as PEP 383's surrogateescape holds it
        return f"\\x{code - 0xDC00:02x}"
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def unsurrogate(text: str) -> str:
    """`text` as valid Unicode: an undecodable byte of a file name as `\\xNN`, any other lone
    surrogate as `\\uXXXX`. Everything else is kept (for JSON, which escapes controls itself)."""
    return _SURROGATE.sub(lambda m: _escape_char(m.group()), text) if _SURROGATE.search(text) else text


def map_strings(value: T, fn: Callable[[str], str]) -> T:
    """`value` with `fn` applied to every string in it: dataclasses (a Report and its parts, rebuilt
    with `dataclasses.replace`), dicts (keys too), lists and tuples."""
    return cast(T, _map(value, fn))


def _map(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _init_fields(type(value)):
            old = getattr(value, name)
            new = _map(old, fn)
            if new is not old and new != old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        return {_map(k, fn): _map(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_map(v, fn) for v in value)
    return value


@functools.lru_cache(maxsize=None)
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def unsurrogate_data(value: T) -> T:
    """`unsurrogate` applied to every string of a value (a JSON-like dict, a Report)."""
    return map_strings(value, unsurrogate)


def printable(text: str, *, lines: bool = False) -> str:
    """For a person (a terminal, a log, a CI page): every control character, bidi control and
    undecodable byte shown as a visible escape, so the text cannot move the cursor, change colours,
    write the clipboard, forge a line or reorder itself. TAB stays; LF stays only with `lines=True`."""
    pattern = _NOT_PRINTABLE_KEEP_LINES if lines else _NOT_PRINTABLE
    return pattern.sub(lambda m: _escape_char(m.group()), text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":  # the JSON string of the text `unsurrogate` gives: \\xNN
        return "\\" + _escape_char(char)
    return f"\\u{ord(char):04x}"


def json_text(value: Any) -> str:
    """JSON text (UTF-8, indented) that stays valid and safe to show: a lone surrogate becomes the
    text `unsurrogate` gives (these characters only ever stand inside JSON strings, so one pass over
    the text does it), and DEL, C1, bidi controls and U+2028/2029 are written as `\\uXXXX` escapes,
    as json writes C0 — the same characters to a JSON reader, inert on a terminal."""
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(value, indent=2, ensure_ascii=False))


# ---- Markdown (GitHub-flavoured) ------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"[\\`*_~\[\]<>&|@]")
_MD_REPLACE = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "@": "@\u200b"}
_BACKTICKS = re.compile("`+")
# GFM's autolink extension links bare `scheme://...` and `www.`: an escaped `:` or `.` stops it.
_AUTOLINK = re.compile(r":(?=//)|(?<=[Ww][Ww][Ww])\.")


def _one_line(text: str) -> str:
    return " ".join(printable(str(text), lines=True).split())


def _escape_md(text: str) -> str:
    text = _MD_SPECIAL.sub(lambda m: _MD_REPLACE.get(m.group(), "\\" + m.group()), text)
    return _AUTOLINK.sub(lambda m: "\\" + m.group(), text)


def markdown_text(text: str) -> str:
    """Inline Markdown that shows `text` as it is and does nothing else: one line (safe in a table
    cell, a list item or a heading); no HTML (`<`, `>`, `&` as entities); no links, images or
    emphasis (`[`, `]`, `*`, `_`, `~`, `` ` ``, `\\` and `|` backslash-escaped), no bare URL made a
    link (the `:` of `://` and the `.` of `www.` escaped); no @-mentions or e-mail links (a
    zero-width space after `@`, so quoting `@acme/sre` does not notify the team)."""
    return _escape_md(_one_line(text))


def markdown_inline(text: str) -> str:
    """Like `markdown_text`, but code spans in `text` stay code spans: for our own sentences that
    quote commands (`adr init docs/adr`), which may embed repository strings. The spans are found
    as CommonMark finds them (a run of n backticks closes at the next run of exactly n), so
    whatever is not inside one is escaped; inside one, Markdown and HTML are literal already."""
    text = _one_line(text)
    out: list[str] = []
    pos = 0
    while True:
        opening = _BACKTICKS.search(text, pos)
        if opening is None:
            break
        closing = next((m for m in _BACKTICKS.finditer(text, opening.end()) if len(m.group()) == len(opening.group())), None)
        if closing is None:  # an unmatched run is literal backticks
            out.append(_escape_md(text[pos:opening.end()]))
            pos = opening.end()
            continue
        out.append(_escape_md(text[pos:opening.start()]))
        span = text[opening.start():closing.end()]
        out.append(_escape_md(span) if "|" in span else span)  # see markdown_code
        pos = closing.end()
    out.append(_escape_md(text[pos:]))
    return "".join(out)


def markdown_code(text: str) -> str:
    """`text` as one code span (a path, a ref): literal, on one line (a line break in a name shows
    as `\\n`); the fence is one backtick longer than the longest run inside, as CommonMark allows.
    Text with a `|` is escaped text instead: a GFM table splits its cells before it reads code
    spans, and `\\|` inside a span cannot show a backslash that precedes the pipe."""
    text = printable(str(text))
    if "|" in text:
        return _escape_md(text)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ---- URIs and CSV -------------------------------------------------------------------------------


def uri_path(path: str) -> str:
    """A repository path as a relative URI reference (RFC 3986): its bytes (undecodable ones as they
    were) percent-encoded, except unreserved characters, `/` and the sub-delimiters; `:` too, so a
    first segment never reads as a scheme."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is not an undecodable byte
        raw = unsurrogate(path).encode("utf-8")
    return urllib.parse.quote(raw, safe="/!$&'()*+,;=@")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run: a value starting with `=`, `+`, `-`, `@`, TAB or CR is
    prefixed with `'` (OWASP's advice for CSV injection); the csv module does the quoting. Control
    characters are shown as escapes (`printable`, line breaks kept): the CSV is often just `cat`."""
    value = printable(value, lines=True)
    return "'" + value if value.startswith(_FORMULA_START) else value
