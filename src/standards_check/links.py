"""Stable public addresses: where this project and a check's documentation live.

Code scanning (SARIF `helpUri`), check-run annotations and PR comments link here, so the pattern
is a contract: it must keep resolving for every released check ID.

The home is set once, in pyproject.toml (`[tool.hatch.metadata.hooks.custom] home`), written into
the installed distribution's `Project-URL: Homepage` at build time and read back here. A source
tree run without an installed distribution falls back to `_BUILT_IN_HOME`, which a test holds
equal to the pyproject setting.
"""
from __future__ import annotations

from functools import lru_cache

_BUILT_IN_HOME = "https://github.com/standards-check/standards-check"


def _installed_home() -> str | None:
    from importlib import metadata  # only when a link is made: it costs the CLI's start-up otherwise

    try:
        urls = metadata.metadata("standards-check").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "homepage" and url.strip().startswith("https://"):
            return url.strip().rstrip("/")
    return None


@lru_cache(maxsize=1)
def project_url() -> str:
    """This project's home."""
    return _installed_home() or _BUILT_IN_HOME


# Each JSON Schema's `$id`, and the address editors fetch it from (`# yaml-language-server: $schema=`):
# the file on the default branch, served raw. Changing a schema keeps it backward compatible, so
# the address stays the same across releases (tests/test_editor_schemas.py holds the two together).
def schema_url(name: str) -> str:
    """The stable `$id` of a shipped schema, e.g. schema_url("policy") for policy.schema.json."""
    raw = project_url().replace("https://github.com/", "https://raw.githubusercontent.com/", 1)
    return f"{raw}/main/src/standards_check/schemas/{name}.schema.json"


def check_doc_url(check_id: str) -> str:
    """The catalog entry of a check: what it looks at, why, how to fix it, an example."""
    return f"{project_url()}/blob/main/checks/{check_id}.yaml"
