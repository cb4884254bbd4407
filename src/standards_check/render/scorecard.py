"""The sweep's HTML scorecard page, from the view `sweep.scorecard.build_view` gathers out of the
results store (the store, the catalog and the charts stay on that side): a pure function of the
view, like every renderer here of its report."""
from __future__ import annotations

from typing import Any

from standards_check import __version__
from standards_check.render.page import environment


def render_scorecard_page(view: dict[str, Any]) -> str:
    from markupsafe import Markup

    charts = {k: Markup(v) for k, v in view["charts"].items()}  # pygal's SVG, escaped by its XML builder
    return environment().get_template("scorecard.html.j2").render(**{**view, "charts": charts},
                                                                   tool_version=__version__)
