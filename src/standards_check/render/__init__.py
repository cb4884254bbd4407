"""Renderers: one module per output format, each a pure function of the Report with one signature,
`render_FORMAT(report, *, color=False) -> str` (`color`: ANSI colours where the format has any, i.e.
text). They read nothing but the report: no file, no repository config, no catalog — the engine puts
what they need into it (`Report.anchor`, `Report.docs`); tests/test_render_pure.py keeps it so."""
from __future__ import annotations

from typing import Any, Protocol

from standards_check.render.codequality import render_codequality
from standards_check.render.html import render_html
from standards_check.render.json import render_json
from standards_check.render.junit import render_junit
from standards_check.render.markdown import render_markdown
from standards_check.render.sarif import render_sarif
from standards_check.render.text import render_text
from standards_check.report import Report

class Renderer(Protocol):
    def __call__(self, report: Report, *, color: bool = False) -> str: ...


RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "junit": render_junit,
    "codequality": render_codequality,
    "html": render_html,
}


def render(report: Report, fmt: str, **options: Any) -> str:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(RENDERERS)}") from None
    return renderer(report, **options)
