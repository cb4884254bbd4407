"""The Jinja2 environment of the HTML pages (`scan --format html`, the sweep's scorecard): the
package's own templates (render/templates), autoescaping on — what they show from repositories is
untrusted text."""
from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("standards_check.render", "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v, d=0: "–" if v is None else f"{v:.{d}f}"
    env.filters["delta"] = delta
    return env


def delta(change: float | None, previous: Any) -> str:
    """A score change for a person: ▲ +3.2, ▼ -1.5, = 0; "new" when not scored last time."""
    if previous is None:
        return "first sweep"
    if change is None:
        return "new"
    if abs(change) < 0.05:
        return "= 0"
    return f"▲ +{change:.1f}" if change > 0 else f"▼ {change:.1f}"
