"""Stable public addresses: where this project and a check's documentation live.

Code scanning (SARIF `helpUri`), check-run annotations and PR comments link here, so the pattern
is a contract: it must keep resolving for every released check ID.

The home is set once, in pyproject.toml (`[tool.hatch.metadata.hooks.custom] home`), written into
the installed distribution's `Project-URL: Homepage` at build time and read back here. A source
tree run without an installed distribution falls back to `_BUILT_IN_HOME`, which a test holds
equal to the pyproject setting.
"""
from __future__ import annotations

from importlib import metadata

_BUILT_IN_HOME = "https://github.com/standards-check/standards-check"


def _installed_home() -> str | None:
    try:
        urls = metadata.metadata("standards-check").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "homepage" and url.strip().startswith("https://"):
            return url.strip().rstrip("/")
    return None


PROJECT_URL = _installed_home() or _BUILT_IN_HOME
_CHECK_DOC = PROJECT_URL + "/blob/main/checks/{check}.yaml"


def check_doc_url(check_id: str) -> str:
    """The catalog entry of a check: what it looks at, why, how to fix it, an example."""
    return _CHECK_DOC.format(check=check_id)
