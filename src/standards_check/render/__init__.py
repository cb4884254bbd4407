"""Renderers: one module per output format, each a function Report -> str. They only read the report."""
from __future__ import annotations

from typing import Any, Callable

from standards_check.render.codequality import render_codequality
from standards_check.render.html import render_html
from standards_check.render.json import render_json
from standards_check.render.junit import render_junit
from standards_check.render.markdown import render_markdown
from standards_check.render.sarif import render_sarif
from standards_check.render.text import render_text
from standards_check.report import Report

RENDERERS: dict[str, Callable[..., str]] = {
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
    return renderer(report, **options) if fmt == "text" else renderer(report)
