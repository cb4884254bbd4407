"""An HTML page parsed with the standard library's html.parser: its tags, attributes, text, and
anything that would load or run something."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# What the report page is made of; anything else came from the data.
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "main", "div",
             "span", "section", "table", "tr", "th", "td", "code", "ul", "li", "footer"}

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "area", "base", "source", "track", "embed"}


@dataclass
class Page(HTMLParser):
    tags: list[str] = field(default_factory=list)
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    chunks: list[str] = field(default_factory=list)
    by_id: dict[str, list[str]] = field(default_factory=dict)
    _open: list[tuple[str, str | None]] = field(default_factory=list)  # (tag, id) of each open element

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        ident = dict(attrs).get("id")
        if ident:
            self.by_id[ident] = []
        if tag not in VOID:
            self._open.append((tag, ident))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        for _tag, ident in self._open:
            if ident:
                self.by_id[ident].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.chunks).split())

    def section(self, ident: str) -> str:
        return " ".join(" ".join(self.by_id.get(ident, [])).split())

    def active(self) -> list[str]:
        """Whatever would run or load: tags beyond the page's own, event handlers, URLs in attributes."""
        found = [f"<{t}>" for t in self.tags if t not in PAGE_TAGS]
        for name, value in self.attributes:
            if name.startswith("on") or name in ("src", "href", "srcset", "action", "formaction"):
                found.append(f"{name}={value!r}")
            if value and ("url(" in value or "javascript:" in value.lower()):
                found.append(f"{name}={value!r}")
        return found


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
