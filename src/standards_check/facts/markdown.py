"""A small, lenient reader of Markdown structure: front matter, headings and sections, with lines.

Not a Markdown renderer: it finds what documentation checks need (ADRs, runbooks, on-call pages)
and nothing else. It skips fenced code blocks and HTML comments so that a template shown inside a
code block or a commented-out heading does not count as a real heading.
"""
from __future__ import annotations

from standards_check import rx
from dataclasses import dataclass, field
from typing import Any

from standards_check import yamlio

_ATX = rx.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_FENCE = rx.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT_1 = rx.compile(r"^ {0,3}=+[ \t]*$")
_SETEXT_2 = rx.compile(r"^ {0,3}-+[ \t]*$")
_LINK = rx.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_DECORATION = rx.compile(r"[*_`~]+")
_COMMENT = rx.compile(r"<!--.*?-->")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text: links reduced to their label, emphasis removed
    line: int  # 1-based


@dataclass
class MarkdownDoc:
    path: str
    lines: list[str]  # the file's lines, with code blocks and comments blanked out
    headings: list[Heading] = field(default_factory=list)
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> line
    body_start: int = 1  # first line after the front matter

    @property
    def title(self) -> Heading | None:
        """The first level-1 heading, the document's title."""
        for heading in self.headings:
            if heading.level == 1:
                return heading
        return None

    def section_text(self, heading: Heading) -> list[tuple[int, str]]:
        """(line, text) of the non-blank lines below `heading` up to the next heading of its level or higher."""
        end = len(self.lines) + 1
        for other in self.headings:
            if other.line > heading.line and other.level <= heading.level:
                end = other.line
                break
        out = []
        for number in range(heading.line + 1, end):
            text = self.lines[number - 1]
            if text.strip() and not _is_heading_line(text):
                out.append((number, text))
        return out


def plain(text: str) -> str:
    """Markdown inline text reduced to words: `[label](url)` -> label, emphasis and code marks removed."""
    if "[" in text:
        text = _LINK.sub(lambda m: m.group(1), text)
    if any(mark in text for mark in "*_`~"):
        text = _DECORATION.sub("", text)
    return text.strip()


def links(text: str) -> list[tuple[str, str]]:
    """Every inline link `[label](target)` in `text` as (label, target)."""
    return [(m.group(1), m.group(2)) for m in _LINK.finditer(text)]


def _is_heading_line(text: str) -> bool:
    return _atx(text) is not None


def _atx(line: str) -> Any:
    """The ATX heading match of a line, asked of RE2 only when a `#` opens the line (fast path)."""
    return _ATX.match(line) if line[:4].lstrip(" ")[:1] == "#" else None


def _blank_code_and_comments(lines: list[str]) -> list[str]:
    """Replace fenced code blocks and HTML comments with empty lines, keeping line numbers."""
    out: list[str] = []
    fence: str | None = None
    in_comment = False
    for line in lines:
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            out.append("")
            continue
        if in_comment:
            end = line.find("-->")
            if end < 0:
                out.append("")
                continue
            in_comment = False
            line = " " * (end + 3) + line[end + 3:]
        match = _FENCE.match(line) if line[:4].lstrip(" ")[:1] in ("`", "~") else None
        if match:
            fence = match.group(1)
            out.append("")
            continue
        # remove complete comments on the line, then an opening one that runs on
        start = line.find("<!--")
        if start >= 0:
            line = _COMMENT.sub("", line)
            start = line.find("<!--")
        if start >= 0:
            in_comment = True
            line = line[:start]
        out.append(line)
    return out


def _front_matter(lines: list[str], path: str | None = None) -> tuple[dict[str, Any], dict[str, int], int]:
    """YAML front matter between `---` lines at the very top: (data, key lines, body start line)."""
    if not lines or lines[0].strip() != "---":
        return {}, {}, 1
    for index in range(1, min(len(lines), 200)):
        if lines[index].strip() in ("---", "..."):
            block = "\n".join(lines[1:index])
            try:
                data = yamlio.load(block, source=path)
            except yamlio.YamlSyntaxError:
                data = None
            key_lines: dict[str, int] = {}
            for offset, text in enumerate(lines[1:index], start=2):
                match = rx.match(r"^([A-Za-z0-9_-]+)\s*:", text)
                if match and match.group(1) not in key_lines:
                    key_lines[match.group(1)] = offset
            return (data if isinstance(data, dict) else {}), key_lines, index + 2
    return {}, {}, 1


def parse_markdown(path: str, text: str) -> MarkdownDoc:
    raw = text.splitlines()
    front, key_lines, body_start = _front_matter(raw, path)
    lines = [""] * (body_start - 1) + _blank_code_and_comments(raw[body_start - 1:])
    doc = MarkdownDoc(path, lines, front_matter=front, front_matter_lines=key_lines, body_start=body_start)
    previous_text = ""
    for number, line in enumerate(lines, start=1):
        match = _atx(line)
        if match:
            doc.headings.append(Heading(len(match.group(1)), plain(match.group(2) or ""), number))
        elif previous_text and number > body_start and (_SETEXT_1.match(line) or _SETEXT_2.match(line)):
            # "Title\n=====" (level 1) or "Title\n-----" (level 2); a "---" after a blank line is a rule
            doc.headings.append(Heading(1 if "=" in line else 2, plain(previous_text), number - 1))
            previous_text = ""
            continue
        previous_text = line.strip() if line.strip() and not match else ""
        if previous_text.startswith(("-", "*", ">", "|", "<")):
            previous_text = ""  # list items, quotes and tables do not make setext headings
    doc.headings.sort(key=lambda h: h.line)
    return doc


def normalise_heading(text: str) -> str:
    """Lower-case words only: '## 3. Mitigation / Fix:' -> 'mitigation fix'; letters of any script count."""
    text = rx.sub(r"^[\d.\s)]+", "", text.lower())
    return " ".join(w for w in rx.findall(r"[\p{L}\p{N}]+", text))
